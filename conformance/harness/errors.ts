/**
 * The two ways a peer can fail to come up: its binary is not installed, or it was started but
 * never became ready (or died first). Both messages are meant to be read in a test report.
 */

/** A peer's executable is not on this machine; names the Debian package that provides it. */
export class PeerMissingError extends Error {
  override readonly name = 'PeerMissingError';
  constructor(
    readonly binary: string,
    readonly debianPackage: string,
  ) {
    super(
      `${binary} not found: install the Debian package "${debianPackage}" ` +
        `(run scripts/install-peers.sh, which installs every peer the conformance tests need)`,
    );
  }
}

/** A peer process did not become ready; carries the tail of what it printed. */
export class PeerStartError extends Error {
  override readonly name = 'PeerStartError';
  constructor(
    readonly peer: string,
    readonly reason: string,
    readonly output: string,
  ) {
    super(`${peer} did not start: ${reason}\n${formatOutput(peer, output)}`);
  }
}

/** Frames a peer's captured output so it stands out in a test report. */
export function formatOutput(peer: string, output: string): string {
  const body = output.length > 0 ? output.replace(/\s+$/, '') : '(no output)';
  return `----- ${peer} output (most recent last) -----\n${body}\n----- end of ${peer} output -----`;
}
