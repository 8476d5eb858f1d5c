# The loan journey worker: workflows + activities, with Debian's tesseract for OCR.
#   docker build -t loan-journey:local .
#   docker run --rm loan-journey:local loan-journey --help
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    LOAN_JOURNEY_DATA_DIR=/data

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
COPY . ./
RUN pip install ".[postgres]"

RUN useradd --create-home --uid 10001 --user-group journey \
    && mkdir -p /data/documents \
    && chown -R journey:journey /data
USER journey
VOLUME ["/data"]

# 9464: the Temporal SDK's Prometheus endpoint; 9465: the journey's own metrics.
EXPOSE 9464 9465
CMD ["python", "worker.py"]
