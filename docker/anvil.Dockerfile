# anvil from npm at the version scripts/tools.sh pins.
FROM node:20.19.5-bookworm-slim
RUN npm install --global --no-audit --no-fund @foundry-rs/anvil-linux-amd64@1.7.1 \
  && ln -s "$(find /usr/local/lib/node_modules/@foundry-rs -type f -name anvil | head -n1)" /usr/local/bin/anvil \
  && chmod +x /usr/local/bin/anvil
ENTRYPOINT ["anvil"]
