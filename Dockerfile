# The loan journey worker: workflows + activities, with Debian's tesseract for OCR.
#   docker build -t loan-journey:local .
#   docker run --rm loan-journey:local loan-journey --help
# The base image by its exact version; docker/README.md ("The image") says how to pin it by
# digest as well.
FROM python:3.11.14-slim-bookworm

# The metrics (LOAN_JOURNEY_METRICS_PORT) on every interface of the container, which
# Prometheus scrapes from another; a worker outside a container listens on 127.0.0.1.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    LOAN_JOURNEY_DATA_DIR=/data \
    LOAN_JOURNEY_METRICS_HOST=0.0.0.0

# OCR engine with the Simplified Chinese and English models, and CJK fonts for the
# documents the journey renders.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        tesseract-ocr \
        tesseract-ocr-chi-sim \
        tesseract-ocr-eng \
        fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# The dependencies first, from their pinned list alone, so that a source edit rebuilds only
# the layers after it. No embedded dev server (the `embedded` extra): the worker never runs one.
COPY constraints.txt ./
RUN pip install -r constraints.txt
# Then the project, against what is installed: nothing new unless pyproject.toml asks for a
# dependency constraints.txt lacks (tests/deploy/test_dockerfile.py refuses that).
COPY . ./
RUN pip install -c constraints.txt ".[postgres]"
# The workflow modules' bytecode: the sandbox imports them again for every new run, and
# PYTHONDONTWRITEBYTECODE keeps Python from writing it (starter/sandbox_bytecode.py; the
# worker, which runs as the user below, cannot write /app).
RUN python -m compileall -q workflows

RUN useradd --create-home --uid 10001 --user-group journey \
    && mkdir -p /data/documents \
    && chown -R journey:journey /data
USER journey
VOLUME ["/data"]

# 9464: the Temporal SDK's Prometheus endpoint; 9465: the journey's own metrics.
EXPOSE 9464 9465
CMD ["python", "worker.py"]
