# event-schema-registry: `esr serve` on 0.0.0.0, port from $PORT (App Runner, Container Apps).
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY registry ./registry
RUN pip install --no-cache-dir --upgrade pip && pip wheel --no-cache-dir --wheel-dir /wheels ".[cloud]"

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    REGISTRY_HOST=0.0.0.0 REGISTRY_DATABASE_URL=sqlite:////data/registry.db
RUN useradd --create-home --uid 10001 registry && mkdir /data && chown registry /data
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER registry
VOLUME ["/data"]
EXPOSE 8081
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD python -c "import os,urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ.get('PORT', os.environ.get('REGISTRY_PORT', '8081')), timeout=2)"
CMD ["esr", "serve"]
