/// The browser side of a video visit, served as `/assets/visit.js` (the CSP forbids inline script): device check,
/// signaling over the WebSocket (reconnecting with backoff), perfect negotiation (the patient is the polite peer),
/// trickle ICE, ICE restart on failure, audio-only fallback. `window.visitStats()` reads getStats for tests.
package enum VisitScript {
    package static let source = #"""
        (() => {
          const root = document.getElementById('visit');
          if (!root) return;
          const visitID = root.dataset.visit, role = root.dataset.role, csrf = root.dataset.csrf;
          const polite = role === 'patient';
          const $ = (id) => document.getElementById(id);
          const WORDS = JSON.parse(root.dataset.words || '{}');
          const w = (t) => WORDS[t] || t;
          const say = (t) => { $('visit-status').textContent = w(t); };
          let ws = null, pc = null, localStream = null, admitted = false, ended = false, retry = 0, hb = null;
          let makingOffer = false, ignoreOffer = false, audioOnly = false, pending = [], inbox = Promise.resolve();

          // Visit events for the record. One that cannot be sent now (the network or the server is away) is kept and
          // sent, in order, once the signaling channel is back.
          const unsent = [];
          let flushing = false;
          async function report(kind, detail) { unsent.push({ kind, detail: detail || '' }); await flushReports(); }
          async function flushReports() {
            if (flushing) return;
            flushing = true;
            try {
              while (unsent.length) {
                const r = await fetch(`/visits/${visitID}/events`, { method: 'POST', credentials: 'same-origin',
                  headers: {
                    'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: JSON.stringify(unsent[0]) });
                if (r.status >= 500) break;
                unsent.shift();
              }
            } catch (e) { /* offline: flushed when the channel reconnects */ } finally { flushing = false; }
          }

          async function deviceCheck() {
            const r = { camera: false, microphone: false, speaker: false, rttMs: null };
            try {
              localStream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
            } catch (e) {
              try { localStream = await navigator.mediaDevices.getUserMedia({ audio: true }); audioOnly = true;
                } catch (e2) { localStream = new MediaStream(); }
            }
            r.camera = localStream.getVideoTracks().length > 0;
            r.microphone = localStream.getAudioTracks().length > 0;
            try { const d = await navigator.mediaDevices.enumerateDevices();
              r.speaker = d.some((x) => x.kind === 'audiooutput') || 'AudioContext' in window; } catch (e) {}
            const t0 = performance.now();
            try { await fetch('/health/live', { cache: 'no-store' }); r.rttMs = Math.round(performance.now() - t0);
              } catch (e) {}
            $('local').srcObject = localStream;
            for (const k of ['camera', 'microphone', 'speaker']) {
              $(`check-${k}`).textContent = w(r[k] ? 'ok' : 'not found');
            }
            $('check-connection').textContent = r.rttMs === null ? w('offline') : `${r.rttMs} ms`;
            $('device-check').dataset.done = r.microphone && r.rttMs !== null ? 'ok' : 'problem';
            await report(
              'device-check', `camera=${r.camera} microphone=${r.microphone} speaker=${r.speaker} rtt=${r.rttMs}`);
            if (!r.camera && r.microphone) await report('audio-only', 'no camera');
            return r;
          }

          function send(m) { if (ws && ws.readyState === 1) ws.send(JSON.stringify(m)); }
          // An offer can be lost on the way (either socket between two connections, a server restarting): it is sent
          // again every 4 s until the answer is in.
          let offerTimer = null;
          function sendOffer() {
            clearTimeout(offerTimer);
            if (!pc || pc.signalingState !== 'have-local-offer') return;
            send({ type: 'offer', description: pc.localDescription });
            offerTimer = setTimeout(sendOffer, 4000);
          }

          async function handle(m) {
            switch (m.type) {
              case 'waiting': say('You are in the waiting room. Your provider will let you in.'); break;
              case 'admitted':
                admitted = true;
                if (!pc) {
                  say('Connecting…');
                  // Back into a visit that is already running (a reload, a tab the phone closed, another network): the
                  // other side still holds a connection to the page that is gone, so ask it to start a fresh one with
                  // this page.
                  if (m.running) send({ type: 'renew' });
                  await startPeer();
                } else if (pc.connectionState === 'connected') say('Connected.');
                break;
              case 'renew':
                if (!pc) break;
                pc.close(); pc = null; pending = []; makingOffer = false; ignoreOffer = false;
                $('remote').srcObject = null;
                report('ice-restart', 'peer came back');
                say('The other side is coming back…');
                await startPeer();
                break;
              case 'replaced':
                // This visit was opened again elsewhere (or handed to another provider): that page is the participant
                // now.
                ended = true; hangUp();
                say('This visit continues in another window or on another device. You can close this page.');
                break;
              case 'hello': case 'hello-ack':
                if (!pc) break;
                // The other side (re)joined: an offer sent while it was away never reached it, so send it again.
                if (pc.signalingState === 'have-local-offer' && pc.localDescription) sendOffer();
                else if (['failed', 'disconnected'].includes(pc.connectionState)) { pc.restartIce();
                  report('ice-restart', 'peer back'); }
                break;
              case 'offer': case 'answer': await onDescription(m.description); break;
              case 'candidate':
                // Candidates wait until the description they belong to is in place.
                if (!pc || !pc.remoteDescription) { pending.push(m.candidate); break; }
                try { await pc.addIceCandidate(m.candidate); } catch (e) {
                  if (!ignoreOffer) console.warn('candidate', e); }
                break;
              case 'media':
                if (m.video === false) { say('The other side is on audio only.');
                  $('remote').classList.add('audio-only'); }
                break;
              case 'peer-left': if (!ended) say('The other side left; waiting for them to come back…'); break;
              case 'ended': ended = true; say('The visit has ended. You can close this page.'); hangUp(); break;
            }
          }

          function connect() {
            const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
            ws = new WebSocket(`${scheme}://${location.host}/visits/${visitID}/signal`);
            ws.onopen = () => {
              retry = 0; root.dataset.signal = 'open';
              hb = setInterval(() => send({ type: 'heartbeat' }), 10000);
              flushReports();
            };
            // One message at a time, in arrival order: a candidate is never handled before the description it follows.
            ws.onmessage = (ev) => {
              let m;
              try { m = JSON.parse(ev.data); } catch (e) { return; }
              inbox = inbox.then(() => handle(m)).catch((e) => console.warn('signal', m.type, e));
            };
            ws.onclose = () => {
              clearInterval(hb);
              root.dataset.signal = 'closed';
              if (ended) return;
              if (pc && pc.connectionState === 'connected') say('Reconnecting to the visit… (your video continues)');
              report('reconnecting', `attempt ${retry + 1}`);
              setTimeout(connect, Math.min(1000 * 2 ** retry++, 10000));
            };
          }

          async function startPeer() {
            if (pc || !admitted) return;
            const res = await fetch(`/visits/${visitID}/ice`, { cache: 'no-store', credentials: 'same-origin' });
            if (!res.ok) { say('Not admitted yet.'); return; }
            const ice = await res.json();
            pc = new RTCPeerConnection({ iceServers: ice.iceServers, iceTransportPolicy: ice.iceTransportPolicy });
            for (const t of localStream.getTracks()) pc.addTrack(t, localStream);
            pc.ontrack = ({ streams }) => {
              if ($('remote').srcObject !== streams[0]) $('remote').srcObject = streams[0]; };
            pc.onicecandidate = ({ candidate }) => { if (candidate) send({ type: 'candidate', candidate }); };
            pc.onnegotiationneeded = async () => {
              try { makingOffer = true; await pc.setLocalDescription(); sendOffer(); }
              catch (e) { console.warn('negotiation', e); } finally { makingOffer = false; }
            };
            pc.onconnectionstatechange = () => {
              $('pc-state').textContent = pc.connectionState;
              if (pc.connectionState === 'connected') { say('Connected.'); report('connected', ice.iceTransportPolicy);
                }
              if (pc.connectionState === 'failed') { report('failed', 'ice'); pc.restartIce();
                report('ice-restart', 'after failure'); }
            };
          }

          async function onDescription(description) {
            if (!admitted) return;
            if (!pc) await startPeer();
            if (!pc) return;
            const collision = description.type === 'offer' && (makingOffer || pc.signalingState !== 'stable');
            ignoreOffer = !polite && collision;
            if (ignoreOffer) return;
            await pc.setRemoteDescription(description);
            if (description.type === 'answer' && pc.connectionState === 'connected') say('Connected.');
            for (const c of pending.splice(0)) { try { await pc.addIceCandidate(c); } catch (e) {
              /* from an offer we ignored */ } }
            if (description.type === 'offer') { await pc.setLocalDescription(); send({
              type: 'answer', description: pc.localDescription }); }
          }

          function hangUp() {
            if (pc) { pc.close(); pc = null; }
            if (localStream) localStream.getTracks().forEach((t) => t.stop());
          }

          $('audio-only').addEventListener('click', async () => {
            audioOnly = true;
            localStream.getVideoTracks().forEach((t) => { t.stop(); localStream.removeTrack(t); });
            if (pc) for (const s of pc.getSenders()) {
              if (s.track === null || (s.track && s.track.kind === 'video')) await s.replaceTrack(null);
            }
            report('audio-only', 'chosen');
            send({ type: 'media', video: false });
            say('Audio only.');
          });
          // Frozen or broken picture: gather new network paths without leaving the visit.
          $('ice-restart').addEventListener('click', () => {
            if (!pc) return;
            pc.restartIce();
            report('ice-restart', 'button');
            say('Reconnecting the video…');
          });
          $('leave').addEventListener('click', () => { ended = true; send({ type: 'leave' }); report('left', 'button');
            hangUp(); say('You left the visit.'); });

          window.visitStats = async () => {
            if (!pc) return { state: 'none', framesDecoded: 0 };
            const stats = await pc.getStats();
            let framesDecoded = 0, audioPackets = 0, relay = false;
            stats.forEach((r) => {
              if (r.type === 'inbound-rtp' && r.kind === 'video') framesDecoded += r.framesDecoded || 0;
              if (r.type === 'inbound-rtp' && r.kind === 'audio') audioPackets += r.packetsReceived || 0;
              if (r.type === 'candidate-pair' && r.state === 'succeeded' && r.nominated) {
                const local = stats.get(r.localCandidateId);
                if (local && local.candidateType === 'relay') relay = true;
              }
            });
            const ufragMatch = pc.localDescription && pc.localDescription.sdp.match(/a=ice-ufrag:(\S+)/);
            const ufrag = (ufragMatch || [])[1] || null;
            return {
              state: pc.connectionState, framesDecoded, audioPackets, relay, ufrag, signaling: pc.signalingState,
              signal: root.dataset.signal || 'none' };
          };

          deviceCheck().then(connect);
        })();
        """#
}
