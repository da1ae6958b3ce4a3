# Runs the bot on its schedule; mount the list repository's config and state.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip install --no-cache-dir . \
    && useradd --create-home --uid 10001 bot
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
ENTRYPOINT ["python", "-m", "bot"]
CMD ["schedule"]
