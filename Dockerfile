# The Passerelle bot (Telegram adapter, scheduler, CLI). Rasa runs in its own image.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
RUN useradd --create-home --uid 10001 passerelle
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY flows ./flows
COPY nlu ./nlu
COPY resources_db ./resources_db
# Editable: the migrations folder (not a package) is read from /app beside the code. The
# NLU model is not in the image (the rasa service serves it from its own volume).
RUN pip install --no-cache-dir -e . && mkdir -p /app/data && chown passerelle /app/data
USER passerelle
# The webhook (/telegram), /healthz and /metrics.
EXPOSE 8080
ENTRYPOINT ["passerelle"]
CMD ["run"]
