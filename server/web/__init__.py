"""Web glue: what every request passes through before and after a blueprint.

The request context (`context`), the JSON error envelope (`errors`), cross-origin rules
(`cors`), content-type checks (`media_type`), the phone's device token (`device_auth`), and
gunicorn's worker and access log (`gunicorn_worker`, `access_log`).
"""
