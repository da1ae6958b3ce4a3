# Runs the bot on its schedule; mount the list repository's config and state at /data.
# The base image is not pinned by digest yet: no registry can be asked for it where this
# file is written. Dependabot (.github/dependabot.yml, docker) proposes its updates.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PYTHONPATH=/app
WORKDIR /app
# The dependencies first (exact pins with hashes), so that a code change reuses this layer.
COPY requirements/lock.txt requirements/lock.txt
RUN pip install --no-cache-dir --no-deps --require-hashes -r requirements/lock.txt \
    && useradd --create-home --uid 10001 bot
COPY bot ./bot
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
# Exec form: the bot is PID 1 and gets `docker stop`'s SIGTERM itself (it handles it: a
# process without a handler would ignore it as PID 1). -P: /data never shadows /app.
STOPSIGNAL SIGTERM
ENTRYPOINT ["python", "-P", "-m", "bot"]
CMD ["schedule"]
