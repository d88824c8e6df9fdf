'use strict';
// An order-pricing API on Express, as a Function Compute custom container (port 9000).
//
// Start-up does what such services do before they serve: load the web framework and its
// middleware, utility and date libraries, a logger, an HTTP client for an upstream
// service, read the YAML configuration, compile the JSON schema of its events and build
// its price table. Only Debian's nodejs and node-* packages are used.
const startedAt = process.hrtime.bigint();
const fs = require('fs');
const path = require('path');
const express = require('express');
const bodyParser = require('body-parser');
const _ = require('lodash');
const moment = require('moment');
const yaml = require('js-yaml');
const Ajv = require('ajv');
const winston = require('winston');
const axios = require('axios');
const semver = require('semver');
const { v4: uuidv4 } = require('uuid');

const config = yaml.load(fs.readFileSync(path.join(__dirname, 'config.yaml'), 'utf8'));
const ajv = new Ajv({ allErrors: true });
const validateEvent = ajv.compile(config.eventSchema);
const logger = winston.createLogger({
  level: 'info',
  format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
  transports: [new winston.transports.Console()],
});
const upstream = axios.create({ baseURL: config.upstream.url, timeout: config.upstream.timeoutMs });
const prices = _.keyBy(
  _.map(config.catalog, (item) => ({ ...item, cents: Math.round(item.price * 100) })),
  'sku'
);

const app = express();
app.disable('x-powered-by');
app.use(bodyParser.raw({ type: () => true, limit: '6mb' }));

function fcHeaders(res) {
  res.set('x-fc-status', '200');
}

app.get('/', (req, res) => res.json({ status: 'ok', service: config.name }));
app.post('/initialize', (req, res) => {
  fcHeaders(res);
  res.json({ initialized: true });
});
app.get('/pre-stop', (req, res) => res.json({ stopping: true }));
app.post('/invoke', (req, res) => {
  const requestId = req.get('x-fc-request-id') || uuidv4();
  let event = {};
  const raw = req.body && req.body.length ? req.body.toString('utf8') : '{}';
  try {
    event = JSON.parse(raw);
  } catch (err) {
    res.set('x-fc-status', '404');
    return res.status(400).json({ error: 'the event is not JSON', requestId });
  }
  if (!validateEvent(event)) {
    res.set('x-fc-status', '404');
    return res.status(400).json({ error: ajv.errorsText(validateEvent.errors), requestId });
  }
  const lines = event.items || [{ sku: config.catalog[0].sku, quantity: 1 }];
  const total = _.sumBy(lines, (line) => (prices[line.sku] ? prices[line.sku].cents : 0) * line.quantity);
  logger.info({ requestId, lines: lines.length, total });
  fcHeaders(res);
  return res.json({
    requestId,
    totalCents: total,
    quotedAt: moment.utc().format(),
    node: process.version,
    upstream: upstream.defaults.baseURL,
    engineOk: semver.satisfies(process.version, config.engines.node),
    startupMs: Number(startedUpMs.toFixed(1)),
  });
});

const port = parseInt(process.env.FC_CUSTOM_LISTEN_PORT || String(config.port), 10);
let startedUpMs = 0;
app.listen(port, '0.0.0.0', () => {
  startedUpMs = Number(process.hrtime.bigint() - startedAt) / 1e6;
  logger.info({ msg: `listening on ${port}`, startupMs: startedUpMs });
});
