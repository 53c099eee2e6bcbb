# smartstep in one container: the Slack app, the weekly digests and the helpdesk sync in one process.
# The store lives on the /data volume; the process runs as an unprivileged user.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY knowledge ./knowledge
COPY rules ./rules
RUN pip install . \
    && useradd --create-home --uid 10001 --user-group smartstep \
    && mkdir -p /data \
    && chown smartstep:smartstep /data

USER smartstep
ENV SMARTSTEP_DB=/data/smartstep.db \
    PORT=3000
VOLUME ["/data"]
EXPOSE 3000

# /healthz answers in HTTP mode with the data's age and the last sync (see the README).
HEALTHCHECK --interval=60s --timeout=5s --start-period=120s \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=4)"

CMD ["smartstep", "serve", "--http"]
