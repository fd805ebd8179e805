# Production image: gunicorn serves the app, WhiteNoise the static files (npm packages built in stage 1).
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation2 fonts-noto-core gettext \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
COPY --from=assets /app/node_modules ./node_modules
RUN find locale -name django.po -execdir msgfmt -o django.mo django.po \; \
    && DEBUG=0 SECRET_KEY=build ALLOWED_HOSTS=build DATABASE_URL=postgres://build/build REDIS_URL=redis://build:6379/0 \
       python manage.py collectstatic --noinput \
    && useradd --system --uid 1000 stord && mkdir -p /app/var/media && chown -R stord /app/var
USER stord
EXPOSE 8000
CMD ["gunicorn", "stord_bolig.wsgi", "--bind", "0.0.0.0:8000", "--workers", "4", "--worker-class", "gthread", "--threads", "2", "--timeout", "60", "--access-logfile", "-"]
