# The processor's image: the worker (dist/worker.js), the codec server and the devnet coordinator,
# with the workflow bundles prebuilt (WORKFLOW_BUNDLE_PATH), so a worker starts without webpack.
FROM node:20.19.5-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npx tsx scripts/bundle-workflows.ts dist/bundles && npm prune --omit=dev

FROM node:20.19.5-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
RUN mkdir -p /var/lib/processor && chown node:node /var/lib/processor
USER node
CMD ["node", "dist/worker.js"]
