// A web page's use of JsSIP 3 (window.JsSIP from the bundle): register over the SIP WebSocket,
// place a call, auto-answer incoming calls with the fake microphone, report getStats.
// Contract with the test: see browser-phone.ts (PhoneApi).
(() => {
  const JsSIP = window.JsSIP;
  const log = [];
  const media = { mediaConstraints: { audio: true, video: false }, pcConfig: { iceServers: [] } };
  let ua;
  let session;
  let incomingWaiter;
  let endedResult;
  const endedWaiters = [];

  const note = (text) => log.push(`${new Date().toISOString()} ${text}`);

  function follow(s) {
    session = s;
    endedResult = undefined;
    const finish = (kind) => (e) => {
      endedResult = { kind, originator: e.originator, cause: e.cause };
      note(`session ${kind}: ${e.originator} ${e.cause}`);
      for (const w of endedWaiters.splice(0)) w(endedResult);
    };
    s.on('ended', finish('ended'));
    s.on('failed', finish('failed'));
    s.on('confirmed', () => note('session confirmed'));
  }

  window.phone = {
    log,
    register({ wsUrl, uri, password }) {
      ua = new JsSIP.UA({
        sockets: [new JsSIP.WebSocketInterface(wsUrl)],
        uri,
        password,
        register: true,
      });
      ua.on('newRTCSession', (e) => {
        note(`newRTCSession ${e.originator}`);
        follow(e.session);
        if (e.originator !== 'remote') return;
        const offer = e.request.body;
        e.session.on('confirmed', () => incomingWaiter?.resolve({ offer }));
        e.session.on('failed', (f) => incomingWaiter?.reject(new Error(`incoming call failed: ${f.cause}`)));
        e.session.answer(media);
      });
      return new Promise((resolve, reject) => {
        ua.once('registered', () => resolve('registered'));
        ua.once('registrationFailed', (e) =>
          reject(new Error(`registration failed: ${e.cause} ${e.response?.status_code ?? ''}`)),
        );
        ua.start();
      });
    },
    call(target) {
      return new Promise((resolve, reject) => {
        let answer;
        const s = ua.call(target, {
          ...media,
          eventHandlers: {
            accepted: (e) => {
              answer = e.response?.body;
            },
            confirmed: () => resolve({ answer }),
            failed: (e) =>
              reject(new Error(`call failed: ${e.cause} ${e.message?.status_code ?? ''} (${e.originator})`)),
          },
        });
        follow(s);
      });
    },
    incoming() {
      return new Promise((resolve, reject) => {
        incomingWaiter = { resolve, reject };
      });
    },
    async stats() {
      const out = { packetsReceived: 0, packetsSent: 0, bytesReceived: 0 };
      const pc = session?.connection;
      if (!pc) return out;
      (await pc.getStats()).forEach((r) => {
        if (r.type === 'inbound-rtp' && r.kind === 'audio') {
          out.packetsReceived += r.packetsReceived ?? 0;
          out.bytesReceived += r.bytesReceived ?? 0;
        }
        if (r.type === 'outbound-rtp' && r.kind === 'audio') out.packetsSent += r.packetsSent ?? 0;
      });
      return out;
    },
    hangup() {
      const done = window.phone.ended();
      session.terminate();
      return done;
    },
    ended() {
      if (endedResult) return Promise.resolve(endedResult);
      return new Promise((resolve) => endedWaiters.push(resolve));
    },
  };
})();
