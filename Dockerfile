# One image for every process of the mall; docker-compose.yml picks the command.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

COPY pyproject.toml constraints.txt README.md ./
COPY chassis chassis
COPY contracts contracts
COPY services services
COPY gateway gateway
COPY config config
COPY scripts scripts
RUN pip install --no-cache-dir -c constraints.txt -e . \
    && useradd --create-home --uid 10001 mall \
    && mkdir -p var/documents && chown -R mall var
USER mall

EXPOSE 8000
CMD ["gunicorn", "--config", "gateway/gunicorn.conf.py", "gateway.app:create_app()"]
