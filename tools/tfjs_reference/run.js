#!/usr/bin/env node
// Runs the original TF.js face models (pure-JS cpu backend) on fixed,
// seeded inputs and writes what they output, so the converted ONNX models
// can be checked against them (tests/models/).
//
//   NODE_PATH=.cache/node/node_modules node tools/tfjs_reference/run.js models
//
// Reads <models>/models.json (written by tools/convert/convert_all.py) and
// writes, for each model, into <models>/reference/:
//   <model>.input.bin   float32 little-endian, NHWC [1,H,W,3], RGB
//   <model>.output.bin  float32 little-endian, every output, in the JSON's order
//   <model>.json        shapes, names, offsets, seed, value range
'use strict';

const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs');

// mulberry32: small, well-known 32-bit PRNG; deterministic across platforms.
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function fnv1a(str) {
  let h = 0x811C9DC5;
  for (let i = 0; i < str.length; i++) {
    h ^= str.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

// A deterministic input that looks a little like an image: a smooth random
// field (sum of a few sinusoids) plus per-pixel noise, scaled into [lo, hi].
function makeInput(shape, range, seed) {
  const [, h, w, c] = shape;
  const rnd = mulberry32(seed);
  const waves = [];
  for (let i = 0; i < 4 * c; i++) {
    waves.push({ fx: (rnd() * 6 + 0.5) / w, fy: (rnd() * 6 + 0.5) / h, ph: rnd() * 2 * Math.PI, ch: i % c });
  }
  const data = new Float32Array(h * w * c);
  const [lo, hi] = range;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let k = 0; k < c; k++) {
        let v = 0;
        for (const wv of waves) if (wv.ch === k) v += Math.sin(2 * Math.PI * (wv.fx * x + wv.fy * y) + wv.ph);
        v = 0.5 + 0.35 * (v / 4) + 0.15 * (rnd() - 0.5) * 2;  // roughly 0..1
        v = Math.min(1, Math.max(0, v));
        data[(y * w + x) * c + k] = lo + (hi - lo) * v;
      }
    }
  }
  return data;
}

function readShards(dir, manifest) {
  const specs = [];
  const buffers = [];
  for (const group of manifest) {
    for (const p of group.paths) buffers.push(fs.readFileSync(path.join(dir, p)));
    specs.push(...group.weights);
  }
  const all = Buffer.concat(buffers);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  return { specs, weightData };
}

async function runGraphModel(info, input) {
  const json = JSON.parse(fs.readFileSync(info.source, 'utf8'));
  const { specs, weightData } = readShards(path.dirname(info.source), json.weightsManifest);
  const artifacts = {
    modelTopology: json.modelTopology,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    signature: json.signature,
    userDefinedMetadata: json.userDefinedMetadata,
    weightSpecs: specs,
    weightData,
  };
  const model = await tf.loadGraphModel(tf.io.fromMemory(artifacts));
  const names = info.outputs.map((o) => o.name);
  const out = model.execute(input, names);
  const list = Array.isArray(out) ? out : [out];
  const result = [];
  for (const t of list) result.push({ shape: t.shape, data: await t.data() });
  tf.dispose(list);
  model.dispose();
  return result;
}

async function runFaceApiRecognition(info, input) {
  // face-api's own network code; its bundle requires @tensorflow/tfjs (and
  // the wasm backend package, which is installed but not used here).
  const pkgDir = path.resolve(path.dirname(info.source), '..');
  const faceapi = require(path.join(pkgDir, 'dist', 'face-api.node-wasm.js'));
  if (faceapi.tf !== undefined && faceapi.tf.getBackend() !== 'cpu') await faceapi.tf.setBackend('cpu');
  const manifest = JSON.parse(fs.readFileSync(info.source, 'utf8'));
  const { specs, weightData } = readShards(path.dirname(info.source), manifest);
  const weightMap = tf.io.decodeWeights(weightData, specs);
  const net = new faceapi.FaceRecognitionNet();
  net.loadFromWeightMap(weightMap);
  const out = await net.forward(input);
  const result = [{ shape: out.shape, data: await out.data() }];
  tf.dispose(out);
  return result;
}

async function main() {
  const modelsDir = process.argv[2] || 'models';
  const only = process.argv.slice(3);
  await tf.setBackend('cpu');
  await tf.ready();
  const listing = JSON.parse(fs.readFileSync(path.join(modelsDir, 'models.json'), 'utf8'));
  const refDir = path.join(modelsDir, 'reference');
  fs.mkdirSync(refDir, { recursive: true });
  for (const info of listing) {
    if (only.length && !only.includes(info.model)) continue;
    const shape = info.input.tf_shape;
    const seed = fnv1a(info.model);
    const data = makeInput(shape, info.input_range, seed);
    const input = tf.tensor4d(data, shape, 'float32');
    const t0 = Date.now();
    const outs = info.kind === 'graph' ? await runGraphModel(info, input) : await runFaceApiRecognition(info, input);
    const ms = Date.now() - t0;
    input.dispose();
    let offset = 0;
    const meta = {
      model: info.model,
      tfjs_version: tf.version.tfjs,
      backend: tf.getBackend(),
      input: { name: info.input.name, shape, layout: 'NHWC', channel_order: 'RGB', range: info.input_range, seed },
      outputs: [],
    };
    const chunks = [];
    outs.forEach((o, i) => {
      const want = info.outputs[i];
      const count = o.data.length;
      if (JSON.stringify(o.shape) !== JSON.stringify(want.shape)) {
        throw new Error(`${info.model}: output ${want.name} has shape ${o.shape}, converter says ${want.shape}`);
      }
      meta.outputs.push({ name: want.name, shape: o.shape, offset, count });
      offset += count;
      chunks.push(Buffer.from(Float32Array.from(o.data).buffer));
    });
    const base = path.join(refDir, info.model);
    fs.writeFileSync(`${base}.input.bin`, Buffer.from(data.buffer));
    fs.writeFileSync(`${base}.output.bin`, Buffer.concat(chunks));
    fs.writeFileSync(`${base}.json`, JSON.stringify(meta, null, 1));
    console.log(`reference ${info.model}: ${meta.outputs.map((o) => `${o.name} [${o.shape}]`).join(', ')} (${ms} ms)`);
  }
}

main().catch((err) => {
  console.error('tfjs_reference:', err && err.stack ? err.stack : err);
  process.exit(1);
});
