/**
 * The lib's Azure paths, which we cannot reach from here, against recorded responses: the spec's
 * GetDomains example served by a local stand-in, and an ONNX package laid out as Azure exports it
 * (BGR, metadata in the model, no Model section in the manifest).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { onnx } from 'onnx-proto';
import { trainingClient } from '../../lib/src/clients';
import { loadConfig } from '../../lib/src/config';
import { readContract } from '../../lib/src/export';
import { findDomain } from '../../lib/src/projects';
import { floatValue } from '../../server/ml/onnx-build';

describe('lib against recorded Azure responses', () => {
  it('finds General (compact) in the domain list Azure returns (spec example GetDomains v3.3)', async () => {
    const body = readFileSync(path.join(__dirname, '..', 'fixtures', 'azure', 'GetDomains.v3.3.body.json'));
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url} key=${req.headers['training-key']}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const config = loadConfig({ VISION_TRAINING_ENDPOINT: endpoint, VISION_TRAINING_KEY: 'azure-key', VISION_PREDICTION_RESOURCE_ID: '/subscriptions/x' }, '/nonexistent/.env');
      assert.equal(config.kind, 'azure');
      const domain = await findDomain({ trainer: trainingClient(config) }, 'General (compact)');
      assert.equal(domain.id, '0732100f-1a38-4e49-a514-c9b44c697ab5');
      assert.deepEqual(seen, ['GET /customvision/v3.4-preview/training/domains key=azure-key']);
    } finally {
      server.close();
    }
  });

  it('reads the input contract of an Azure-style ONNX export from the model\'s metadata', () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'azure-onnx-'));
    const model = onnx.ModelProto.create({
      irVersion: 7,
      graph: onnx.GraphProto.create({ name: 'g', input: [floatValue('data', [1, 3, 227, 227])], output: [floatValue('model_outputs0', [1, 2])] }),
      metadataProps: [
        onnx.StringStringEntryProto.create({ key: 'Image.BitmapPixelFormat', value: 'Bgr8' }),
        onnx.StringStringEntryProto.create({ key: 'Image.NominalPixelRange', value: 'NominalRange_0_255' }),
      ],
    });
    writeFileSync(path.join(folder, 'model.onnx'), onnx.ModelProto.encode(model).finish());
    writeFileSync(path.join(folder, 'labels.txt'), 'cat\ndog\n');
    writeFileSync(path.join(folder, 'cvexport.manifest'), JSON.stringify({ DomainType: 'Classification', Platform: 'ONNX', ModelFileName: 'model.onnx', LabelFileName: 'labels.txt' }));
    assert.deepEqual(readContract(folder), { inputName: 'data', size: 227, outputName: 'model_outputs0', labels: ['cat', 'dog'], colorOrder: 'BGR', scale: 1 });
  });
});
