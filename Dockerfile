# syntax=docker/dockerfile:1
# Build: the .NET 10 SDK image; run: the ASP.NET Core runtime image (Debian based; the Worker hosts Kestrel
# for the built-in local Bot API server used by `carebot demo`).
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props CareBot.sln ./
COPY src/CareBot.Core/CareBot.Core.csproj src/CareBot.Core/
COPY src/CareBot.Worker/CareBot.Worker.csproj src/CareBot.Worker/
RUN dotnet restore src/CareBot.Worker/CareBot.Worker.csproj
COPY appsettings.json ./
COPY src/ src/
RUN dotnet publish src/CareBot.Worker/CareBot.Worker.csproj -c Release --no-restore -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
# Time-zone data so CareBot:TimeZone (Asia/Shanghai) resolves; ICU for Chinese text handling.
RUN apt-get update \
    && apt-get install -y --no-install-recommends tzdata libicu-dev \
    && rm -rf /var/lib/apt/lists/*
ENV TZ=Asia/Shanghai \
    DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=false \
    Storage__DatabasePath=/data/carebot.db
WORKDIR /app
COPY --from=build /app ./
# The image's non-root user (uid 1654, "app") owns the database volume.
RUN mkdir -p /data && chown app:app /data
USER app
VOLUME ["/data"]
ENTRYPOINT ["dotnet", "/app/carebot.dll"]
CMD ["run"]
