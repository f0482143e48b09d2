'use strict';
// A small SMSC for the SMPP client's tests, built on the npm package `smpp`.
//
// Run:   node smsc.js [PORT]        (or SMSC_PORT; 0 or nothing = any free port)
// Env:   SMSC_SYSTEM_ID (default "mteja"), SMSC_PASSWORD (default "secret"),
//        SMSC_CONTROL_PORT (default 0 = any free port).
// Ready: prints "control PORT" and then "listening PORT" on stdout. Both
//        servers listen on 127.0.0.1 only. The process exits when its stdin
//        closes, so a crashed test leaves nothing behind.
//
// Behaviour: answers bind_transceiver (checks system_id and password:
// ESME_RINVSYSID / ESME_RINVPASWD otherwise), enquire_link, unbind and
// submit_sm (a message_id per accepted submit), then sends a deliver_sm
// receipt (esm_class 0x04) after receiptDelayMs: stat DELIVRD, or UNDELIV
// for destinations ending in undelivSuffix. A receipt whose session has
// gone waits for the next bind of the same system_id, as real SMSCs do.
// Every submit_sm is recorded so tests can check nothing was lost or doubled.
//
// HTTP control API on the control port (JSON bodies and replies):
//   GET  /stats[?list=0]  counters, per-destination accepted counts and
//                         (unless list=0) every submit_sm received
//   POST /config  {...}   merge settings (see `defaults` below)
//   POST /throttle {"next":N}   answer ESME_RTHROTTLED to the next N submits
//   POST /throttle {"rate":X}   ... to any submit above X per second
//   POST /throttle {"percent":P} ... to P in every 100 submits, evenly spread
//   POST /throttle {}           stop throttling
//   POST /fail {"status":S,"next":N}  answer command_status S to the next N
//   POST /blackhole {"next":N}  record the next N submits but never answer
//   POST /stop {"ms":D}   close every connection and refuse new ones for D ms
//   POST /mo {"from","to","text","coding"}  send an inbound (MO) deliver_sm
//                         to every bound session (coding 0 GSM, 8 UCS-2)
//   POST /reset           forget records and misbehaviour, restore defaults
//
// Text in receipts and MO messages goes out as a Buffer with data_coding set
// explicitly: left to itself the library labels GSM text as data_coding 1.

const http = require('http');
const smpp = require('smpp');

const systemID = process.env.SMSC_SYSTEM_ID || 'mteja';
const password = process.env.SMSC_PASSWORD || 'secret';
const port = Number(process.argv[2] || process.env.SMSC_PORT || 0);
const controlPort = Number(process.env.SMSC_CONTROL_PORT || 0);

const defaults = {
  receiptDelayMs: 20,     // delay between submit_sm_resp and the receipt
  undelivSuffix: '',      // destinations ending in this get stat:UNDELIV
  rejectSuffix: '',       // destinations ending in this get ESME_RINVDSTADR
  dropReceipts: false,    // send no receipts at all
  slowMs: 0,              // delay before each submit_sm_resp
  idForm: 'decimal',      // decimal | hex | mixed (resp hex, receipt text decimal) | alternate
  receiptTLV: true,       // add receipted_message_id and message_state TLVs
  receiptFirst: false,    // send the receipt before the submit_sm_resp
  receiptStyle: 'standard', // standard | quirky (Text:, 12-digit dates, submitdate:)
  nextId: 1000000001,     // next message id (as a number)
};

let cfg;
let state;

function reset() {
  cfg = Object.assign({}, defaults);
  state = {
    binds: 0, bindFailures: 0, throttled: 0, failed: 0, receiptsSent: 0, mo: 0,
    submits: [], perDest: {},
    throttleNext: 0, throttleRate: 0, recent: [], throttlePercent: 0, throttleAcc: 0,
    failStatus: 0, failNext: 0, blackholeNext: 0,
    refuseUntil: 0, altFlip: false,
    pendingReceipts: [],  // receipts waiting for a bound session
  };
}
reset();

const sessions = new Set();  // bound sessions

function pad(n, w) { return String(n).padStart(w, '0'); }

function smppDate(d, twelve) {
  const s = pad(d.getUTCFullYear() % 100, 2) + pad(d.getUTCMonth() + 1, 2) + pad(d.getUTCDate(), 2) +
    pad(d.getUTCHours(), 2) + pad(d.getUTCMinutes(), 2);
  return twelve ? s + pad(d.getUTCSeconds(), 2) : s;
}

function respID(n) {
  switch (cfg.idForm) {
    case 'hex': case 'mixed': return n.toString(16);
    case 'alternate':
      state.altFlip = !state.altFlip;
      return state.altFlip ? n.toString(16) : String(n);
    default: return String(n);
  }
}

function receiptTextID(n) {
  return cfg.idForm === 'hex' ? n.toString(16) : String(n);
}

function throttleNow() {
  if (state.throttleNext > 0) {
    state.throttleNext--;
    return true;
  }
  if (state.throttlePercent > 0) {
    state.throttleAcc += state.throttlePercent;
    if (state.throttleAcc >= 100) {
      state.throttleAcc -= 100;
      return true;
    }
  }
  if (state.throttleRate > 0) {
    const now = Date.now();
    state.recent = state.recent.filter((t) => now - t < 1000);
    if (state.recent.length >= state.throttleRate) return true;
    state.recent.push(now);
  }
  return false;
}

function buildReceipt(rec) {
  const quirky = cfg.receiptStyle === 'quirky';
  const undeliv = cfg.undelivSuffix && rec.dest.endsWith(cfg.undelivSuffix);
  const stat = undeliv ? 'UNDELIV' : 'DELIVRD';
  const now = new Date();
  const id = receiptTextID(rec.idNum);
  const text = quirky
    ? `id:${id} sub:001 dlvrd:${undeliv ? '000' : '001'} submitdate:${smppDate(now, true)} donedate:${smppDate(now, true)} stat:${stat} err:${undeliv ? '001' : '000'} Text:${rec.text.slice(0, 20)}`
    : `id:${id} sub:001 dlvrd:${undeliv ? '000' : '001'} submit date:${smppDate(now)} done date:${smppDate(now)} stat:${stat} err:${undeliv ? '001' : '000'} text:${rec.text.slice(0, 20)}`;
  const pdu = {
    service_type: '',
    source_addr_ton: rec.destTon, source_addr_npi: rec.destNpi, source_addr: rec.dest,
    dest_addr_ton: rec.sourceTon, dest_addr_npi: rec.sourceNpi, destination_addr: rec.source,
    esm_class: 0x04,
    data_coding: 0,
    short_message: Buffer.from(text, 'ascii'),
  };
  if (cfg.receiptTLV) {
    pdu.receipted_message_id = rec.messageId;
    pdu.message_state = undeliv ? 5 : 2;
  }
  return pdu;
}

function sendReceipt(rec, preferred) {
  if (cfg.dropReceipts) return;
  const pdu = buildReceipt(rec);
  deliver(pdu, rec.systemId, preferred);
}

// deliver sends a deliver_sm on the preferred session if it is still
// bound, else on any bound session of that system_id, else parks it.
function deliver(pdu, sysID, preferred) {
  let target = preferred && sessions.has(preferred) ? preferred : null;
  if (!target) {
    for (const s of sessions) if (s.systemID === sysID) { target = s; break; }
  }
  if (!target) {
    state.pendingReceipts.push({ pdu, sysID });
    return;
  }
  target.deliver_sm(pdu);
  state.receiptsSent++;
}

function flushPending(session) {
  const keep = [];
  for (const p of state.pendingReceipts) {
    if (p.sysID === session.systemID) {
      session.deliver_sm(p.pdu);
      state.receiptsSent++;
    } else {
      keep.push(p);
    }
  }
  state.pendingReceipts = keep;
}

function onSubmit(session, pdu) {
  const sm = pdu.short_message || {};
  let udh = '';
  if (sm.udh && sm.udh.length) {
    const ies = Buffer.concat(sm.udh);
    udh = Buffer.concat([Buffer.from([ies.length]), ies]).toString('hex');
  }
  const rec = {
    seq: pdu.sequence_number,
    systemId: session.systemID,
    source: pdu.source_addr, sourceTon: pdu.source_addr_ton, sourceNpi: pdu.source_addr_npi,
    dest: pdu.destination_addr, destTon: pdu.dest_addr_ton, destNpi: pdu.dest_addr_npi,
    esmClass: pdu.esm_class, dataCoding: pdu.data_coding,
    registeredDelivery: pdu.registered_delivery,
    udh, text: typeof sm.message === 'string' ? sm.message : '',
    status: 0, messageId: '', at: Date.now(),
  };
  state.submits.push(rec);

  let status = 0;
  if (state.blackholeNext > 0) {
    state.blackholeNext--;
    rec.status = -1;  // recorded, never answered: the client cannot know
    state.perDest[rec.dest] = (state.perDest[rec.dest] || 0) + 1;
    return;
  }
  if (throttleNow()) {
    status = smpp.ESME_RTHROTTLED;
    state.throttled++;
  } else if (state.failNext > 0) {
    state.failNext--;
    status = state.failStatus;
    state.failed++;
  } else if (cfg.rejectSuffix && rec.dest.endsWith(cfg.rejectSuffix)) {
    status = smpp.ESME_RINVDSTADR;
    state.failed++;
  }
  rec.status = status;
  if (status !== 0) {
    answer(session, pdu.response({ command_status: status }));
    return;
  }
  rec.idNum = cfg.nextId++;
  rec.messageId = respID(rec.idNum);
  state.perDest[rec.dest] = (state.perDest[rec.dest] || 0) + 1;
  const resp = pdu.response({ message_id: rec.messageId });
  if (cfg.receiptFirst) {
    sendReceipt(rec, session);
    answer(session, resp);
    return;
  }
  answer(session, resp, () => {
    if (pdu.registered_delivery & 0x01) {
      setTimeout(() => sendReceipt(rec, session), cfg.receiptDelayMs);
    }
  });
}

function answer(session, resp, after) {
  const go = () => {
    if (!session.closed) session.send(resp);
    if (after) after();
  };
  if (cfg.slowMs > 0) setTimeout(go, cfg.slowMs);
  else go();
}

const server = smpp.createServer((session) => {
  if (Date.now() < state.refuseUntil) {
    session.destroy();
    return;
  }
  session.on('error', () => {});
  session.on('close', () => {
    session.closed = true;
    sessions.delete(session);
  });
  session.on('bind_transceiver', (pdu) => {
    let status = 0;
    if (pdu.system_id !== systemID) status = smpp.ESME_RINVSYSID;
    else if (pdu.password !== password) status = smpp.ESME_RINVPASWD;
    if (status) {
      state.bindFailures++;
      session.send(pdu.response({ command_status: status }), () => session.close());
      return;
    }
    state.binds++;
    session.systemID = pdu.system_id;
    session.send(pdu.response({ system_id: 'mteja-test-smsc' }));
    sessions.add(session);
    flushPending(session);
  });
  session.on('enquire_link', (pdu) => session.send(pdu.response()));
  session.on('unbind', (pdu) => {
    sessions.delete(session);
    session.send(pdu.response(), () => session.close());
  });
  session.on('submit_sm', (pdu) => {
    if (!sessions.has(session)) {
      session.send(pdu.response({ command_status: smpp.ESME_RINVBNDSTS }));
      return;
    }
    onSubmit(session, pdu);
  });
  session.on('deliver_sm_resp', () => {});
});

function stopAll(ms) {
  state.refuseUntil = Date.now() + ms;
  for (const s of server.sessions.slice()) s.destroy();
  sessions.clear();
}

function sendMO(body) {
  const coding = Number(body.coding || 0);
  const text = String(body.text || '');
  const short = coding === 8 ? Buffer.from(text, 'utf16le').swap16() : smpp.encodings.ASCII.encode(text);
  const pdu = {
    service_type: '',
    source_addr_ton: 1, source_addr_npi: 1, source_addr: String(body.from || ''),
    dest_addr_ton: 0, dest_addr_npi: 0, destination_addr: String(body.to || ''),
    esm_class: 0, data_coding: coding,
    short_message: short,
  };
  let n = 0;
  for (const s of sessions) { s.deliver_sm(Object.assign({}, pdu)); n++; }
  state.mo += n;
  return n;
}

function stats(list) {
  const out = {
    binds: state.binds, bindFailures: state.bindFailures, bound: sessions.size,
    throttled: state.throttled, failed: state.failed, receiptsSent: state.receiptsSent,
    receiptsPending: state.pendingReceipts.length, mo: state.mo,
    total: state.submits.length, perDest: state.perDest,
  };
  if (list) out.submits = state.submits;
  return out;
}

const control = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => { body += c; });
  req.on('end', () => {
    let in_ = {};
    try {
      in_ = body ? JSON.parse(body) : {};
    } catch (e) {
      res.writeHead(400, { 'Content-Type': 'text/plain' });
      res.end('bad JSON: ' + e.message);
      return;
    }
    const url = new URL(req.url, 'http://127.0.0.1');
    let reply = { ok: true };
    switch (req.method + ' ' + url.pathname) {
      case 'GET /stats': reply = stats(url.searchParams.get('list') !== '0'); break;
      case 'POST /config': Object.assign(cfg, in_); reply = cfg; break;
      case 'POST /throttle':
        state.throttleNext = Number(in_.next || 0);
        state.throttleRate = Number(in_.rate || 0);
        state.throttlePercent = Number(in_.percent || 0);
        state.throttleAcc = 0;
        state.recent = [];
        break;
      case 'POST /fail':
        state.failStatus = Number(in_.status || 0);
        state.failNext = Number(in_.next || 0);
        break;
      case 'POST /blackhole': state.blackholeNext = Number(in_.next || 0); break;
      case 'POST /stop': stopAll(Number(in_.ms || 0)); break;
      case 'POST /mo': reply = { sent: sendMO(in_) }; break;
      case 'POST /reset': reset(); break;
      default:
        res.writeHead(404, { 'Content-Type': 'text/plain' });
        res.end('no such control: ' + req.method + ' ' + url.pathname);
        return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(reply));
  });
});

process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();

control.listen(controlPort, '127.0.0.1', () => {
  process.stdout.write('control ' + control.address().port + '\n');
  server.listen(port, '127.0.0.1', () => {
    process.stdout.write('listening ' + server.address().port + '\n');
  });
});
