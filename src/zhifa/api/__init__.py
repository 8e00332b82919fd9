"""The zhifa HTTP API (django-ninja), mounted at /api/v1/. Not a Django app: it holds no models
(API clients and their tokens live in ``zhifa.exchange``). See docs/api.md."""
