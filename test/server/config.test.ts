import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { LOCAL_DEFAULTS } from '../../lib/src/config';
import { parseConfig } from '../../server/config';

describe('service configuration', () => {
  it('has the documented defaults: loopback, port 5600, the lab keys', () => {
    const config = parseConfig([], {}, '/work');
    assert.ok(config !== 'help');
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.port, 5600);
    assert.deepEqual(config.trainingKeys, ['local-training-key']);
    assert.deepEqual(config.predictionKeys, ['local-prediction-key']);
    assert.equal(config.dataDir, path.resolve('/work', '.data', 'service'));
    assert.equal(config.allowPrivateUrls, false);
  });

  it('has the defaults the lab connects with', () => {
    const config = parseConfig([], {});
    assert.ok(config !== 'help');
    assert.equal(LOCAL_DEFAULTS.endpoint, `http://${config.host}:${config.port}`);
    assert.deepEqual([LOCAL_DEFAULTS.trainingKey], config.trainingKeys);
    assert.deepEqual([LOCAL_DEFAULTS.predictionKey], config.predictionKeys);
  });

  it('takes flags over environment over defaults', () => {
    const env = { CVLAB_PORT: '7000', CVLAB_TRAINING_KEY: 'a,b', CVLAB_ALLOW_PRIVATE_URLS: '1' };
    const config = parseConfig(['--port', '7001', '--prediction-key', 'p'], env, '/work');
    assert.ok(config !== 'help');
    assert.equal(config.port, 7001);
    assert.deepEqual(config.trainingKeys, ['a', 'b']);
    assert.deepEqual(config.predictionKeys, ['p']);
    assert.equal(config.allowPrivateUrls, true);
  });

  it('refuses bad values and unknown flags', () => {
    assert.throws(() => parseConfig(['--port', '70000'], {}), /Invalid port/);
    assert.throws(() => parseConfig(['--training-key', ' , '], {}), /must not be empty/);
    assert.throws(() => parseConfig(['--bogus'], {}), /Unknown option/);
    assert.equal(parseConfig(['--help'], {}), 'help');
  });
});
