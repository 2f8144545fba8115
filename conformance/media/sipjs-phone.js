// A web page's use of SIP.js 0.21 (window.SIP from the bundle): UserAgent + Registerer over the
// SIP WebSocket, Inviter for outgoing calls, auto-answer of Invitations, getStats from the
// session description handler's RTCPeerConnection.
// Contract with the test: see browser-phone.ts (PhoneApi).
(() => {
  const { UserAgent, Registerer, RegistererState, Inviter, SessionState } = window.SIP;
  const log = [];
  const sdhOptions = { constraints: { audio: true, video: false } };
  let ua;
  let session;
  let incomingWaiter;
  let endedResult;
  let hungUp = false;
  const endedWaiters = [];

  const note = (text) => log.push(`${new Date().toISOString()} ${text}`);

  function follow(s, onEstablished) {
    session = s;
    endedResult = undefined;
    hungUp = false;
    s.stateChange.addListener((state) => {
      note(`session ${state}`);
      if (state === SessionState.Established) onEstablished();
      if (state === SessionState.Terminated) {
        endedResult = { kind: 'ended', originator: hungUp ? 'local' : 'remote', cause: 'Terminated' };
        for (const w of endedWaiters.splice(0)) w(endedResult);
      }
    });
  }

  window.phone = {
    log,
    async register({ wsUrl, uri, password }) {
      const user = UserAgent.makeURI(uri);
      ua = new UserAgent({
        uri: user,
        transportOptions: { server: wsUrl },
        authorizationUsername: user.user,
        authorizationPassword: password,
        sessionDescriptionHandlerFactoryOptions: { peerConnectionConfiguration: { iceServers: [] } },
        delegate: {
          onInvite(invitation) {
            note('incoming INVITE');
            const offer = invitation.request.body;
            follow(invitation, () => incomingWaiter?.resolve({ offer }));
            invitation.accept({ sessionDescriptionHandlerOptions: sdhOptions }).catch((err) => {
              incomingWaiter?.reject(err);
            });
          },
        },
      });
      await ua.start();
      const registerer = new Registerer(ua, { regId: 1 });
      const registered = new Promise((resolve, reject) => {
        registerer.stateChange.addListener((state) => {
          if (state === RegistererState.Registered) resolve('registered');
          if (state === RegistererState.Terminated) reject(new Error('registerer terminated'));
        });
      });
      await registerer.register({
        requestDelegate: {
          onReject: (r) => note(`REGISTER rejected ${r.message.statusCode}`),
        },
      });
      return registered;
    },
    call(target) {
      return new Promise((resolve, reject) => {
        // SIP.js reports Established before it hands the 2xx to onAccept: settle on both.
        let answer;
        let established = false;
        const settle = () => answer !== undefined && established && resolve({ answer });
        const inviter = new Inviter(ua, UserAgent.makeURI(target), {
          sessionDescriptionHandlerOptions: sdhOptions,
        });
        follow(inviter, () => {
          established = true;
          settle();
        });
        inviter
          .invite({
            requestDelegate: {
              onAccept: (r) => {
                answer = r.message.body;
                settle();
              },
              onReject: (r) =>
                reject(new Error(`call failed: ${r.message.statusCode} ${r.message.reasonPhrase}`)),
            },
          })
          .catch(reject);
      });
    },
    incoming() {
      return new Promise((resolve, reject) => {
        incomingWaiter = { resolve, reject };
      });
    },
    async stats() {
      const out = { packetsReceived: 0, packetsSent: 0, bytesReceived: 0 };
      const pc = session?.sessionDescriptionHandler?.peerConnection;
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
      hungUp = true;
      if (session.state === SessionState.Established) session.bye();
      else if (session.cancel) session.cancel();
      else session.reject();
      return done;
    },
    ended() {
      if (endedResult) return Promise.resolve(endedResult);
      return new Promise((resolve) => endedWaiters.push(resolve));
    },
  };
})();
