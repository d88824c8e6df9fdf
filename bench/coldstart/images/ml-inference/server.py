"""A digit-recognition inference service, as a Function Compute custom container (port 9000).

Start-up does what such services do before they serve: import the scientific stack (NumPy,
pandas, SciPy, scikit-learn from Debian's packages), load the training data shipped with
scikit-learn, fit the model and keep it in memory. ``POST /invoke`` classifies the 8x8 image
in the event (``{"pixels": [64 numbers]}``) or, without one, a sample of the data set.
"""

import time

STARTED = time.time()

import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import scipy.stats  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.linear_model import RidgeClassifier  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

DIGITS = load_digits()
FRAME = pd.DataFrame(DIGITS.data)
MODEL = make_pipeline(StandardScaler(), RidgeClassifier()).fit(DIGITS.data, DIGITS.target)
SUMMARY = {
    "samples": len(FRAME),
    "pixel_mean": float(FRAME.to_numpy().mean()),
    "label_entropy": float(scipy.stats.entropy(np.bincount(DIGITS.target))),
}
READY = time.time()


def log(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        return

    def _answer(self, status, payload):
        body = json.dumps(payload, sort_keys=True).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-fc-status", "200" if status < 400 else "404")
        self.end_headers()
        self.wfile.write(body)

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_GET(self):
        self._answer(200, {"status": "ok", **SUMMARY})

    def do_POST(self):
        body = self._body()
        if self.path == "/initialize":
            return self._answer(200, {"initialized": True})
        if self.path != "/invoke":
            return self._answer(404, {"error": f"no route {self.path}"})
        try:
            event = json.loads(body or b"{}")
        except ValueError:
            return self._answer(400, {"error": "the event is not JSON"})
        pixels = event.get("pixels") if isinstance(event, dict) else None
        if pixels is None:
            sample = DIGITS.data[int(time.time()) % len(DIGITS.data)]
        else:
            sample = np.asarray(pixels, dtype=float)
            if sample.shape != (64,):
                return self._answer(400, {"error": "pixels must be 64 numbers"})
        label = int(MODEL.predict(sample.reshape(1, -1))[0])
        log(f"request {self.headers.get('x-fc-request-id')}: predicted {label}")
        self._answer(
            200,
            {
                "label": label,
                "numpy": np.__version__,
                "startup_s": round(READY - STARTED, 3),
                **SUMMARY,
            },
        )


port = int(os.environ.get("FC_CUSTOM_LISTEN_PORT", "9000"))
server = ThreadingHTTPServer(("0.0.0.0", port), Handler)
log(f"listening on {port} after {READY - STARTED:.3f}s")
server.serve_forever()
