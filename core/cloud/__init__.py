"""Alibaba Cloud clients: ACS3 request signing, credentials and secret stores.

The same classes talk to Alibaba Cloud and to the Local server (``fcaccel serve``); only the
endpoints and credentials differ.
"""

from core.cloud._credentials import (
    ALIYUN_CLI_SUPPORTED_MODES,
    AliyunCliProfile,
    Credentials,
    aliyun_cli_config_path,
    aliyun_cli_credentials,
    credentials_from_env,
    read_aliyun_cli_config,
)
from core.cloud._secrets import (
    SERVICE_NAME,
    FileSecretStore,
    KeyringSecretStore,
    MemorySecretStore,
    SecretStore,
    keyring_available,
    secret_key,
)
from core.cloud._signing import (
    ALGORITHM,
    EMPTY_PAYLOAD_SHA256,
    ACS3Auth,
    SignatureInfo,
    authorization_header,
    canonical_headers,
    canonical_query_string,
    canonical_request,
    format_acs_date,
    hash_payload,
    parse_acs_date,
    parse_authorization,
    parse_query_string,
    percent_encode,
    sign,
    signed_header_names,
    string_to_sign,
    verify_signature,
)

__all__ = [
    "ALGORITHM",
    "ALIYUN_CLI_SUPPORTED_MODES",
    "EMPTY_PAYLOAD_SHA256",
    "SERVICE_NAME",
    "ACS3Auth",
    "AliyunCliProfile",
    "Credentials",
    "FileSecretStore",
    "KeyringSecretStore",
    "MemorySecretStore",
    "SecretStore",
    "SignatureInfo",
    "aliyun_cli_config_path",
    "aliyun_cli_credentials",
    "authorization_header",
    "canonical_headers",
    "canonical_query_string",
    "canonical_request",
    "credentials_from_env",
    "format_acs_date",
    "hash_payload",
    "keyring_available",
    "parse_acs_date",
    "parse_authorization",
    "parse_query_string",
    "percent_encode",
    "read_aliyun_cli_config",
    "secret_key",
    "sign",
    "signed_header_names",
    "string_to_sign",
    "verify_signature",
]
