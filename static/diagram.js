// Render the case's current process with bpmn-js and mark where the case is.
(function () {
  const box = document.getElementById('diagram');
  if (!box || !window.BpmnJS) return;
  fetch(box.dataset.src, {credentials: 'same-origin'})
    .then((response) => response.json())
    .then((data) => {
      const viewer = new BpmnJS({container: box});
      return viewer.importXML(data.xml).then(() => {
        const canvas = viewer.get('canvas');
        const registry = viewer.get('elementRegistry');
        data.active.forEach((id) => { if (registry.get(id)) canvas.addMarker(id, 'active-element'); });
        canvas.zoom('fit-viewport');
        document.getElementById('diagram-path').textContent = data.path_names.join(' › ');
        box.dataset.rendered = 'true';
      });
    })
    .catch((error) => { box.textContent = String(error); });
})();
