/**
 * A short tone when a record is accepted or refused, so a worker who looks at the part rather
 * than the screen still knows. Silently does nothing where audio is unavailable.
 */
export function playCue(kind: 'ok' | 'error'): void {
  try {
    const AudioContextClass = globalThis.AudioContext;
    if (!AudioContextClass) return;
    const context = new AudioContextClass();
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    oscillator.type = kind === 'ok' ? 'sine' : 'square';
    oscillator.frequency.value = kind === 'ok' ? 880 : 220;
    gain.gain.value = 0.08;
    oscillator.connect(gain).connect(context.destination);
    oscillator.start();
    oscillator.stop(context.currentTime + (kind === 'ok' ? 0.12 : 0.35));
    oscillator.onended = () => void context.close();
  } catch {
    // No audio output: the colour and text still say it.
  }
}
