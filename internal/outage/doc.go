// Package outage knows where supply is out and tells the customers it
// reaches. An outage is declared on a level of the network (an area, a
// feeder, a distribution transformer) as planned work or an unplanned
// fault, or grows out of customers' "no power" reports as a suspected
// outage that staff confirm or dismiss. Its events (it started, its
// estimated time of restoration changed, it is over, planned work is 48 h
// or 2 h away) are texted to the phones of the meters it reaches and to
// the phones that subscribed to its area, by a sweeper, in the bulk lane:
// a token is never queued behind an outage broadcast.
//
// Each phone is told once per event, even when it is registered for many
// meters there or also subscribed: outage_notices holds one row per
// (event, phone), written in the transaction that queues the message, so
// a retried sweep or a second node sends nothing twice.
//
// Which notices may wake a customer. Quiet hours (MTEJA_QUIET_HOURS) hold
// what can wait until the morning; what the customer would want at night
// goes at once:
//   - the first notice of an unplanned outage is urgent: the customer is
//     sitting in the dark now, wondering whether to report it or to buy
//     a token, and the notice answers that (it also spares the call
//     centre a wave of reports);
//   - the restoration notice is urgent: it closes the notice they had, and
//     its question ("reply 1 if you still have no power") finds the homes
//     left dark while the crew is still out;
//   - a change of the estimated restoration time waits: nothing the
//     customer can do with it at 02:00 that cannot be done at 07:00;
//   - planned work announced 48 h and 2 h ahead waits: it is a notice of a
//     change to come, not of one that has happened.
//
// Opt-out: a phone that sent STOP (sms_optouts) gets no outage notice.
// SUBSCRIBE <area> (JIUNGE) and UNSUBSCRIBE (JITOE) add or remove a phone
// without a meter there; STATUS [area] (HALI) answers with the outages
// and the health of token delivery, as the public status page does.
package outage
