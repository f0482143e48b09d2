package mpesa

import (
	"time"
)

// EAT is East Africa Time (UTC+3, no daylight saving). Daraja's timestamps
// (TransTime, TransactionDate, FinalisedTime, the STK Timestamp) carry no zone
// and mean EAT. A fixed zone rather than time.LoadLocation("Africa/Nairobi")
// keeps the package independent of the machine's tz database.
var EAT = time.FixedZone("EAT", 3*60*60)

// timestampLayout is Daraja's yyyyMMddHHmmss.
const timestampLayout = "20060102150405"

// Timestamp formats t as Daraja's yyyyMMddHHmmss in EAT.
func Timestamp(t time.Time) string { return t.In(EAT).Format(timestampLayout) }

// parseEAT reads yyyyMMddHHmmss (or "yyyy-MM-dd HH:mm:ss", seen in sandbox
// payloads) as EAT and returns it in UTC, the zone Mteja stores.
func parseEAT(s, field string) (time.Time, error) {
	for _, layout := range []string{timestampLayout, time.DateTime} {
		if len(s) != len(layout) {
			continue
		}
		t, err := time.ParseInLocation(layout, s, EAT)
		if err != nil {
			break
		}
		return t.UTC(), nil
	}
	return time.Time{}, fieldErr(field, "not a yyyyMMddHHmmss time: %s", quote(s))
}
