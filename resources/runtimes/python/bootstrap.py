"""Lambench's Python runtime client: speaks only the Lambda Runtime API (stdlib only, Python 3.11+).

Env: AWS_LAMBDA_RUNTIME_API (host:port), _HANDLER (e.g. app.lambda_handler), LAMBDA_TASK_ROOT.
"""
import http.client
import importlib
import json
import logging
import os
import sys
import time
import traceback

API = os.environ.get('AWS_LAMBDA_RUNTIME_API', '127.0.0.1:9001')
BASE = '/2018-06-01/runtime'
TASK_ROOT = os.environ.get('LAMBDA_TASK_ROOT', os.getcwd())
HANDLER = os.environ.get('_HANDLER', '')


class _CountingStream:
    """Counts bytes written, sent with each result so the engine knows which logs are still in flight."""

    total = 0

    def __init__(self, stream):
        self._stream = stream

    def write(self, s):
        _CountingStream.total += len(s) if s.isascii() else len(s.encode('utf-8', 'backslashreplace'))
        return self._stream.write(s)

    def __getattr__(self, name):
        return getattr(self._stream, name)


# Logs must stream live, in UTF-8, whatever flags and locale started us.
sys.stdout.reconfigure(encoding='utf-8', errors='backslashreplace', line_buffering=True)
sys.stderr.reconfigure(encoding='utf-8', errors='backslashreplace', line_buffering=True)
sys.stdout = _CountingStream(sys.stdout)
sys.stderr = _CountingStream(sys.stderr)

_PY = f'python{sys.version_info.major}.{sys.version_info.minor}'
for p in reversed([TASK_ROOT, f'/opt/python/lib/{_PY}/site-packages', '/opt/python']):
    if p not in sys.path:
        sys.path.insert(0, p)

current_id = None


class _Conn:
    """One keep-alive connection; reconnects after the server closes it (e.g. a 413)."""

    def __init__(self):
        host, _, port = API.rpartition(':')
        self.host, self.port = host.strip('[]'), int(port)
        self.conn = None

    def close(self):
        if self.conn is not None:
            self.conn.close()
        self.conn = None

    def send(self, method, path, body=None, headers=None):
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port)
        try:
            self.conn.request(method, path, body=body, headers=headers or {})
        except (OSError, http.client.HTTPException):
            self.close()
            raise

    def receive(self):
        try:
            res = self.conn.getresponse()
            return res.status, res, res.read()
        except (OSError, http.client.HTTPException):
            self.close()
            raise

    def request(self, method, path, body=None, headers=None):
        # A second try on a fresh connection, in case the server had closed this one.
        for attempt in (0, 1):
            try:
                self.send(method, path, body, headers)
                return self.receive()
            except (OSError, http.client.HTTPException):
                if attempt:
                    raise


# Results and polls go on separate connections, so the next poll can leave with a result.
poll_conn = _Conn()
post_conn = _Conn()
NEXT = f'{BASE}/invocation/next'


def post(path, doc, error_type=None, then_poll=False):
    """Posts a result; with then_poll, sends the next /next before reading the answer to the result."""
    body = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
    headers = {'Content-Type': 'application/json', 'Lambench-Log-Bytes': str(_CountingStream.total)}
    if error_type:
        headers['Lambda-Runtime-Function-Error-Type'] = error_type
    # A failure means the server answered early (413) and closed: it has recorded the error.
    try:
        post_conn.send('POST', path, body, headers)
        sent = True
    except (OSError, http.client.HTTPException):
        sent = False
    if then_poll:
        send_poll()
    if sent:
        try:
            post_conn.receive()
        except (OSError, http.client.HTTPException):
            pass


def send_poll():
    try:
        poll_conn.send('GET', NEXT)
    except (OSError, http.client.HTTPException):
        sys.exit(1)  # the Runtime API is gone: this environment is over


class _RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = current_id
        return True


def setup_logging():
    handler = logging.StreamHandler(sys.stdout)
    fmt = logging.Formatter(
        '[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s', '%Y-%m-%dT%H:%M:%S'
    )
    fmt.converter = time.gmtime
    handler.setFormatter(fmt)
    handler.addFilter(_RequestIdFilter())
    root = logging.getLogger()
    for h in list(root.handlers):
        root.removeHandler(h)
    root.addHandler(handler)
    root.setLevel(logging.INFO)


class FaultError(Exception):
    def __init__(self, error_type, message, tb=None):
        super().__init__(message)
        self.error_type, self.message, self.tb = error_type, message, tb


def stack_of(tb):
    return traceback.format_list(traceback.extract_tb(tb)) if tb else []


def error_doc(error_type, message, stack):
    doc = {'errorMessage': message, 'errorType': error_type}
    if current_id:
        doc['requestId'] = current_id
    doc['stackTrace'] = stack
    return doc


def log_error(error_type, message, stack):
    text = f'[ERROR] {error_type}: {message}\nTraceback (most recent call last):\n' + ''.join(stack)
    sys.stdout.write(text.rstrip('\n') + '\n')
    sys.stdout.flush()


def load_handler():
    try:
        modname, fname = HANDLER.rsplit('.', 1)
    except ValueError as e:
        raise FaultError('Runtime.MalformedHandlerName', f"Bad handler '{HANDLER}': {e}")
    modname = modname.replace('/', '.')
    try:
        module = importlib.import_module(modname)
    except ImportError as e:
        raise FaultError('Runtime.ImportModuleError', f"Unable to import module '{modname}': {e}", e.__traceback__)
    except SyntaxError as e:
        msg = f"Syntax error in module '{modname}': {e}"
        raise FaultError('Runtime.UserCodeSyntaxError', msg, e.__traceback__)
    fn = getattr(module, fname, None)
    if fn is None:
        raise FaultError('Runtime.HandlerNotFound', f"Handler '{fname}' missing on module '{modname}'")
    return fn


class LambdaContext:
    def __init__(self, request_id, headers):
        self.aws_request_id = request_id
        self.function_name = os.environ.get('AWS_LAMBDA_FUNCTION_NAME', '')
        self.function_version = os.environ.get('AWS_LAMBDA_FUNCTION_VERSION', '$LATEST')
        self.memory_limit_in_mb = int(os.environ.get('AWS_LAMBDA_FUNCTION_MEMORY_SIZE', '128'))
        self.invoked_function_arn = headers.get('Lambda-Runtime-Invoked-Function-Arn')
        self.log_group_name = os.environ.get('AWS_LAMBDA_LOG_GROUP_NAME', '')
        self.log_stream_name = os.environ.get('AWS_LAMBDA_LOG_STREAM_NAME', '')
        self._deadline = int(headers.get('Lambda-Runtime-Deadline-Ms') or 0)
        self.client_context = _json_or_none(headers.get('Lambda-Runtime-Client-Context'))
        self.identity = _json_or_none(headers.get('Lambda-Runtime-Cognito-Identity'))

    def get_remaining_time_in_millis(self):
        return max(self._deadline - int(time.time() * 1000), 0)


def _json_or_none(text):
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def init():
    setup_logging()
    try:
        return load_handler()
    except Exception as e:
        if isinstance(e, FaultError):
            error_type, message, stack = e.error_type, e.message, stack_of(e.tb)
        else:
            error_type, message, stack = type(e).__name__, str(e), stack_of(e.__traceback__)
        log_error(error_type, message, stack)
        post(f'{BASE}/init/error', error_doc(error_type, message, stack), error_type)
        sys.exit(1)


def main():
    global current_id
    handler = init()
    send_poll()
    while True:
        try:
            status, res, body = poll_conn.receive()
        except (OSError, http.client.HTTPException):
            # A poll sent on a connection the server had just closed: poll again on a fresh one.
            try:
                status, res, body = poll_conn.request('GET', NEXT)
            except (OSError, http.client.HTTPException):
                sys.exit(1)  # the Runtime API is gone: this environment is over
        if status != 200:
            sys.exit(1)
        request_id = res.getheader('Lambda-Runtime-Aws-Request-Id')
        current_id = request_id
        trace = res.getheader('Lambda-Runtime-Trace-Id')
        if trace:
            os.environ['_X_AMZN_TRACE_ID'] = trace
        ctx = LambdaContext(request_id, res.headers)  # case-insensitive .get
        try:
            result = handler(json.loads(body), ctx)
            try:
                out = json.dumps(result).encode()
            except (TypeError, ValueError) as e:
                raise FaultError('Runtime.MarshalError', f'Unable to marshal response: {e}')
            post(f'{BASE}/invocation/{request_id}/response', out, then_poll=True)
        except Exception as e:
            if isinstance(e, FaultError):
                error_type, message, stack = e.error_type, e.message, stack_of(e.tb)
            else:
                # Drop our own frame, as Lambda shows only the user's.
                tb = e.__traceback__.tb_next if e.__traceback__ else None
                error_type, message, stack = type(e).__name__, str(e), stack_of(tb)
            log_error(error_type, message, stack)
            doc = error_doc(error_type, message, stack)
            post(f'{BASE}/invocation/{request_id}/error', doc, error_type, then_poll=True)


if __name__ == '__main__':
    main()
