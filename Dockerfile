# The Baton image: every service and the gateway (the command picks which), with the web console
# built in. Build from the repository root:
#   docker build -t baton:latest .
# deploy/compose.yaml builds it itself; deploy/kubernetes/ expects it pushed to your registry.

# --- the web console (web/ -> web/dist), built with Node 20 ------------------------------------
FROM node:20-bookworm-slim AS console
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

# --- Python 3.11 with Baton installed --------------------------------------------------------
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY contracts contracts
COPY plugins plugins
COPY services services
COPY cli cli
COPY deploy deploy
# The entry points of the built-in plugins and the `baton` command come with the install.
RUN pip install . && useradd --system --uid 10001 --home-dir /app baton && mkdir -p /app/var && chown baton /app/var
COPY --from=console /src/web/dist web/dist

USER 10001
# Everything else (BATON_AMQP_URI, BATON_MONGO_URI, BATON_AMQP_QUEUE_TYPE …) is set where it runs:
# see README "Running on a cluster".
ENV BATON_CONFIG=/app/deploy/config.yaml \
    BATON_DATA_DIR=/app/var \
    BATON_HTTP_ADDRESS=0.0.0.0:8000 \
    BATON_LOG_FORMAT=json
EXPOSE 8000
# One process per container: the gateway by default; a service with
#   python -m nameko run --config deploy/config.yaml services.<name>.service
CMD ["python", "-m", "nameko", "run", "--config", "deploy/config.yaml", "services.gateway.service"]
