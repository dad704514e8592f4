// PNG export of the graph view. sigma draws on several stacked canvases
// (edges and nodes in WebGL, labels and hover rings in 2D); the picture is
// those layers composited in order over the page's background. The WebGL
// buffers are only readable right after a frame is drawn, so the export
// renders synchronously and copies in the same task.

export function composite(sigma, background) {
  sigma.refresh();
  const canvases = sigma.getCanvases();
  const layers = Object.values(canvases);
  const { width, height } = layers[0];
  const out = document.createElement("canvas");
  out.width = width;
  out.height = height;
  const context = out.getContext("2d");
  context.fillStyle = background;
  context.fillRect(0, 0, width, height);
  for (const layer of layers) {
    if (layer.width > 0 && layer.height > 0) context.drawImage(layer, 0, 0, width, height);
  }
  return out;
}

// downloadPNG saves the current view as a PNG file.
export function downloadPNG(sigma, background, name) {
  const canvas = composite(sigma, background);
  canvas.toBlob((blob) => {
    if (!blob) return;
    const url = URL.createObjectURL(blob);
    const a = document.createElement("a");
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }, "image/png");
  window.__lastPNG = { bytes: canvas.toDataURL("image/png").length, inked: inkedPixels(canvas, background) }; // for the browser test
}

// inkedPixels counts the pixels of a canvas that differ from the background
// colour: zero means the export came out blank.
function inkedPixels(canvas, background) {
  const probe = document.createElement("canvas").getContext("2d");
  probe.fillStyle = background;
  probe.fillRect(0, 0, 1, 1);
  const bg = probe.getImageData(0, 0, 1, 1).data;
  const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
  let n = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (Math.abs(data[i] - bg[0]) + Math.abs(data[i + 1] - bg[1]) + Math.abs(data[i + 2] - bg[2]) > 30) n++;
  }
  return n;
}
