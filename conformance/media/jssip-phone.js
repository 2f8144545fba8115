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
  // the SDP of the last answer to one of our offers (2xx of the INVITE or of a re-INVITE)
  let remoteAnswer;
  // MESSAGE requests received (RFC 3428), oldest first, and the tests waiting for the next one
  const received = [];
  const messageWaiters = [];

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
    s.on('sdp', (e) => {
      if (e.originator === 'remote' && e.type === 'answer') remoteAnswer = e.sdp;
    });
  }

  // hold() or unhold(): one re-INVITE; resolves with the SDP answer once it is applied.
  function reoffer(verb) {
    return new Promise((resolve, reject) => {
      if (!session) return reject(new Error(`${verb}: no session`));
      remoteAnswer = undefined;
      const onEnd = (e) => reject(new Error(`${verb}: session ended: ${e.cause}`));
      session.once('ended', onEnd);
      const started = session[verb]({}, () => {
        session.removeListener('ended', onEnd);
        note(`${verb} answered`);
        resolve({ answer: remoteAnswer });
      });
      if (!started) reject(new Error(`${verb}: JsSIP refused to send the re-INVITE`));
    });
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
      ua.on('newMessage', (e) => {
        if (e.originator !== 'remote') return;
        const m = {
          from: e.request.from.uri.toString(),
          contentType: e.request.getHeader('Content-Type'),
          body: e.request.body,
        };
        note(`MESSAGE from ${m.from}`);
        const waiter = messageWaiters.shift();
        if (waiter) waiter(m);
        else received.push(m);
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
    // INVITE `target` and resolve at its first provisional response (101-199), unanswered.
    dial(target) {
      return new Promise((resolve, reject) => {
        const s = ua.call(target, {
          ...media,
          eventHandlers: {
            progress: (e) => resolve({ status: e.response?.status_code }),
            failed: (e) =>
              reject(new Error(`call failed: ${e.cause} ${e.message?.status_code ?? ''} (${e.originator})`)),
          },
        });
        follow(s);
      });
    },
    hold: () => reoffer('hold'),
    unhold: () => reoffer('unhold'),
    sendMessage({ target, body }) {
      return new Promise((resolve, reject) => {
        ua.sendMessage(target, body, {
          contentType: 'text/plain',
          eventHandlers: {
            succeeded: (e) => resolve({ status: e.response?.status_code }),
            failed: (e) => reject(new Error(`MESSAGE failed: ${e.cause} ${e.response?.status_code ?? ''}`)),
          },
        });
      });
    },
    nextMessage() {
      const m = received.shift();
      if (m) return Promise.resolve(m);
      return new Promise((resolve) => messageWaiters.push(resolve));
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
