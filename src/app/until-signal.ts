// Keeps the process running until SIGTERM or SIGINT, for `posthorn serve` and `npm start`.
// A second signal while stopping falls through to Node's default handling (immediate exit).

export function untilSignal(): Promise<NodeJS.Signals> {
  // Signal handlers alone do not keep Node running when no listener is open.
  const keepAlive = setInterval(() => {}, 1 << 30);
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      clearInterval(keepAlive);
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      resolve(signal);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
