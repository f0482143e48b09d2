package keyword

import (
	"context"
	"errors"

	"github.com/mteja/mteja/internal/outage"
)

// outageCommands are the keywords of outages, unknown words where the
// responder has no outages to answer from.
var outageCommands = map[string]bool{"status": true, "subscribe": true, "unsubscribe": true, "nopower": true}

// outage answers STATUS [area], SUBSCRIBE <area>, UNSUBSCRIBE and
// NOPOWER [meter].
func (r *Responder) outage(ctx context.Context, name, msisdn, lang string, args []string) (string, error) {
	o := r.Outages
	switch name {
	case "status":
		return o.StatusText(ctx, msisdn, lang, args)
	case "subscribe":
		return o.SubscribeText(ctx, msisdn, lang, args)
	case "unsubscribe":
		return o.UnsubscribeText(ctx, msisdn, lang)
	}
	drn, _, msg, err := r.meterFor(ctx, msisdn, lang, args)
	if err != nil || drn == "" {
		return msg, err
	}
	body, err := o.NoPowerText(ctx, msisdn, lang, drn, "sms")
	if errors.Is(err, outage.ErrNoMeter) {
		return r.text(lang, "no_meter", drn), nil
	}
	return body, err
}

// onRestoreCheck takes a digit answering the restoration notice the
// sender was asked last (a newer survey question takes it instead).
func (r *Responder) onRestoreCheck(ctx context.Context, msisdn, text string) (Reply, bool, error) {
	if r.Outages == nil || r.Outages.Check == nil {
		return Reply{}, false, nil
	}
	body, lang, ok, err := r.Outages.Check.Reply(ctx, msisdn, text)
	return Reply{Body: body, Language: lang}, ok, err
}
