# One image for every role; the command picks the role.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
COPY clickhouse/package.json clickhouse/
COPY collector/package.json collector/
COPY api/package.json api/
# Whole dashboard: the root postinstall builds it (vite) into dashboard/dist during npm ci.
COPY dashboard/ dashboard/
COPY server/package.json server/
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
ENV SPANLENS_HOST=0.0.0.0
EXPOSE 4317 4318 3000
CMD ["npm", "start"]
