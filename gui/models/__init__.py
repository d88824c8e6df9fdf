"""Qt item models: thin adapters over the backend's plain-Python values."""

from gui.models.functions_model import FunctionsModel
from gui.models.lab_runs_model import LabRunsModel
from gui.models.repositories_model import RepositoriesModel
from gui.models.tags_model import TagsModel
from gui.models.tasks_model import TasksModel

__all__ = ["FunctionsModel", "LabRunsModel", "RepositoriesModel", "TagsModel", "TasksModel"]
