// Signature pad for the authorization form: draw with mouse, finger or pen; or adopt the typed name as the signature
// (keyboard users). The PNG goes into the hidden field when the form is submitted.
(function () {
  const canvas = document.getElementById('signature-pad');
  if (!canvas) return;
  const form = canvas.closest('form');
  const field = document.getElementById('signaturePng');
  const clear = document.getElementById('signature-clear');
  const adopt = document.getElementById('signature-adopt');
  const typed = document.getElementById('typedName');
  const context = canvas.getContext('2d');
  let drawing = false, drawn = false;

  function reset() {
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.strokeStyle = '#1c2430';
    context.lineWidth = 2.5;
    context.lineCap = 'round';
    drawn = false;
  }
  function point(event) {
    const box = canvas.getBoundingClientRect();
    return { x: (event.clientX - box.left) * canvas.width / box.width, y: (event.clientY - box.top) * canvas.height / box.height };
  }
  canvas.addEventListener('pointerdown', e => { drawing = true; const p = point(e); context.beginPath(); context.moveTo(p.x, p.y); canvas.setPointerCapture(e.pointerId); });
  canvas.addEventListener('pointermove', e => { if (!drawing) return; const p = point(e); context.lineTo(p.x, p.y); context.stroke(); drawn = true; document.getElementById('signature-error').hidden = true; });
  canvas.addEventListener('pointerup', () => { drawing = false; });
  clear.addEventListener('click', () => { reset(); if (adopt) adopt.checked = false; });
  if (adopt) adopt.addEventListener('change', () => {
    reset();
    if (adopt.checked) {
      context.fillStyle = '#1c2430';
      context.font = 'italic 34px Georgia, serif';
      context.fillText(typed.value || '', 16, canvas.height / 2 + 12);
      drawn = typed.value.trim().length > 0;
    }
  });
  form.addEventListener('submit', e => {
    if (!drawn) {
      e.preventDefault();
      const error = document.getElementById('signature-error');
      error.hidden = false;
      error.focus();
      return;
    }
    field.value = canvas.toDataURL('image/png');
  });
  reset();
})();
