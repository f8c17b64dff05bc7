/** @module The human-readable files of export packages: Dockerfile and READMEs. */
import type { ExportSource } from '../projects/exports';

export function dockerfile(): string {
  return `# Prediction server for a classifier exported by the local Custom Vision service.
# Everything the image needs is in this folder: no network is used while building.
# BASE_IMAGE: any Linux x64 image with Node.js 18 or later at /usr/local/bin/node or on PATH.
ARG BASE_IMAGE=node:20-bookworm-slim
FROM \${BASE_IMAGE}
COPY app /app
WORKDIR /app
ENV PORT=80
EXPOSE 80
CMD ["node", "server.js"]
`;
}

export function dockerReadme(source: ExportSource): string {
  return `# Exported classifier: Docker package (Linux)

Iteration ${source.iterationId} of project ${source.projectId}; labels: ${source.tags.map((t) => t.name).join(', ')}.

Build and run (Docker or Podman):

    docker build -t aerial-classifier .
    docker run -p 127.0.0.1:8080:80 -d aerial-classifier

The build needs no network: the server (\`app/server.js\`), the model and the native runtime
packages (onnxruntime-node, sharp, Linux x64) are all in \`app/\`. Choose another base image with
\`--build-arg BASE_IMAGE=...\` (any Linux x64 image with Node.js 18+).

Call it:

    curl -X POST http://127.0.0.1:8080/image -H "Content-Type: application/octet-stream" --data-binary @image.png
    curl -X POST http://127.0.0.1:8080/image -F imageData=@image.png
    curl -X POST http://127.0.0.1:8080/url -H "Content-Type: application/json" -d '{"url": "https://example.com/image.png"}'

The answer is the Prediction API's JSON: \`{ id, project, iteration, created, predictions: [{ probability, tagId, tagName, tagType }] }\`,
sorted by probability. \`GET /health\` answers \`{"status":"ok"}\`. The Prediction API's own paths
(\`/<project>/classify/iterations/<name>/image\`, \`.../url\`) work too. Images up to 4 MB; JPEG, PNG, GIF, BMP.
Image URLs on private or loopback addresses are refused unless the container runs with \`-e ALLOW_PRIVATE_URLS=1\`.
Without Docker: \`cd app && PORT=8080 node server.js\`.
`;
}

export function onnxReadme(source: ExportSource): string {
  return `# Exported classifier: ONNX

Iteration ${source.iterationId} of project ${source.projectId}.

- \`model.onnx\`: the whole classifier in one graph (opset 12): input \`data\`, float32 [batch, 3, 224, 224],
  **RGB** channels, **raw 0-255 pixel values** (no scaling, no mean/std: the
  normalisation the service uses is inside the graph, and so is the averaging over flips/rotations
  of the image that the service does: feed each image once). Output \`loss\`: [batch, ${source.tags.length}] probabilities.
- \`labels.txt\`: one tag per line, in the order of the output scores.
- \`cvexport.manifest\`: Custom Vision's manifest, plus a \`Model\` section stating the input and outputs exactly.
- \`metadata_properties.json\`: the preprocessing hints Custom Vision tools read.

Preparing an image exactly as the service does: apply EXIF orientation, drop alpha, scale the
shorter side to 224 px with Lanczos3, crop the centre 224 x 224, and lay the RGB values out as
CHW floats. With sharp:

    const { data } = await sharp(file).rotate().resize(224, 224, { fit: 'cover', kernel: 'lanczos3' })
      .removeAlpha().raw().toBuffer({ resolveWithObject: true });
    // data is HWC uint8: move it to CHW float32 and run the session with { data: tensor }.
`;
}
