# syntax=docker/dockerfile:1
# .NET 10 ships no Debian-based images (the default tags are Ubuntu), so the worker is published
# self-contained for linux-x64 and runs on plain Debian 12 with the libraries .NET needs.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/CareBot.Core/CareBot.Core.csproj src/CareBot.Core/
COPY src/CareBot.Storage.LiteDb/CareBot.Storage.LiteDb.csproj src/CareBot.Storage.LiteDb/
COPY src/CareBot.Storage.Postgres/CareBot.Storage.Postgres.csproj src/CareBot.Storage.Postgres/
COPY src/CareBot.LocalBotApi/CareBot.LocalBotApi.csproj src/CareBot.LocalBotApi/
COPY src/CareBot.Worker/CareBot.Worker.csproj src/CareBot.Worker/
RUN dotnet restore src/CareBot.Worker/CareBot.Worker.csproj -r linux-x64
COPY appsettings.json ./
COPY src/ src/
RUN dotnet publish src/CareBot.Worker/CareBot.Worker.csproj -c Release -r linux-x64 --self-contained true \
        --no-restore -o /app

FROM debian:bookworm-slim AS runtime
# ca-certificates: HTTPS to the Bot API; libicu72: Chinese text, culture data; libssl3: TLS;
# tzdata: CareBot:TimeZone (Asia/Shanghai).
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates libicu72 libssl3 tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 carebot \
    && useradd --system --uid 10001 --gid carebot --home-dir /app --shell /usr/sbin/nologin carebot \
    && mkdir -p /data && chown carebot:carebot /data
ENV TZ=Asia/Shanghai \
    Storage__DatabasePath=/data/carebot.db
WORKDIR /app
COPY --from=build /app ./
USER carebot
# The LiteDB database (and its -log file) lives here; mount a volume to keep it. With PostgreSQL
# (-e Storage__Provider=PostgreSQL -e Storage__ConnectionString=...) only the heartbeat file is written here.
VOLUME ["/data"]
# Telegram__BotToken must be given at run time: docker run -e Telegram__BotToken=... -v carebot-data:/data carebot
# The worker writes a heartbeat beside the database every 15 s; `carebot status` exits 0 while it is under a minute
# old and 1 otherwise (never 2, which Docker reserves). Exec form: no shell needed; it runs as USER, with this ENV.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 CMD ["/app/carebot", "status"]
# SIGTERM starts the host's graceful stop (let a send on the wire finish, wait for a running job, checkpoint and
# close the database), which may take up to 30 s; Docker kills after 10 s unless told otherwise:
# docker run --stop-timeout 40 ... / docker stop -t 40 carebot / compose: stop_grace_period: 40s.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/app/carebot"]
CMD ["run"]
