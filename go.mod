module github.com/mteja/mteja

go 1.26.8

require (
	github.com/boombuler/barcode v1.0.1 // QR codes of eTIMS's verification text on invoices (already here through pquerna/otp; fpdf asks v1.0.1)
	github.com/chromedp/cdproto v0.159.0 // chromedp's protocol types, for the portal's browser tests
	github.com/chromedp/chromedp v0.23.0 // drives Debian's headless Chromium in the portal tests
	github.com/go-pdf/fpdf v0.9.0 // invoices as PDF: maintained fork of jung-kurt/gofpdf, pure Go; its barcode and import helpers are not built into ours (only the core package is imported); core fonts keep a page to a few kB
	github.com/google/uuid v1.6.0 // UUIDv7 record ids: time-ordered, made by the app on any node
	github.com/jackc/pgx/v5 v5.12.0 // PostgreSQL driver (through database/sql), production database
	github.com/linxGnu/gosmpp v0.3.1 // SMPP 3.4 PDUs and binds; pinned: the proxy refuses @latest, and its quirks are worked around
	github.com/pquerna/otp v1.5.0 // TOTP (RFC 6238) for staff sign-in, and the otpauth:// QR code at enrolment
	github.com/pressly/goose/v3 v3.30.0 // embedded migrations, one folder per engine
	github.com/prometheus/client_golang v1.25.0 // /metrics
	github.com/prometheus/client_model v0.6.3 // reading metric values back in tests
	go.yaml.in/yaml/v3 v3.0.6 // tariff files (read node by node, decimals as text, never floats)
	golang.org/x/crypto v0.59.0 // argon2id for staff passwords
	layeh.com/radius v0.0.0-20231213012653-1006025d24f8 // RADIUS packets and dictionaries (MikroTik, WISPr, RFC 5176); a pseudo-version because it has no tagged release, pinned to the commit the proxy serves; Message-Authenticator, CHAP and the reply cache are ours
	modernc.org/sqlite v1.62.0 // embedded SQLite without cgo: one static binary; libc follows its go.mod
)

require (
	github.com/beorn7/perks v1.0.1 // indirect
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/dustin/go-humanize v1.1.0 // indirect
	github.com/go-json-experiment/json v0.0.0-20260213210345-44df1a37e875 // indirect
	github.com/jackc/pgpassfile v1.0.0 // indirect
	github.com/jackc/pgservicefile v0.0.0-20240606120523-5a60cdf6a761 // indirect
	github.com/jackc/puddle/v2 v2.2.3 // indirect
	github.com/mattn/go-isatty v0.0.24 // indirect
	github.com/mfridman/interpolate v0.0.2 // indirect
	github.com/munnerz/goautoneg v0.0.0-20191010083416-a7dc8b61c822 // indirect
	github.com/ncruces/go-strftime v1.1.0 // indirect
	github.com/orcaman/concurrent-map/v2 v2.0.1 // indirect
	github.com/prometheus/common v0.72.0 // indirect
	github.com/prometheus/procfs v0.23.0 // indirect
	github.com/remyoudompheng/bigfft v0.0.0-20230129092748-24d4a6f8daec // indirect
	github.com/sethvargo/go-retry v0.5.0 // indirect
	go.uber.org/multierr v1.11.0 // indirect
	golang.org/x/exp v0.0.0-20261109185158-a52e3aef5920 // indirect
	golang.org/x/sync v0.25.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
	golang.org/x/text v0.44.0 // indirect
	google.golang.org/protobuf v1.36.12 // indirect
	modernc.org/libc v1.80.2 // indirect
	modernc.org/mathutil v1.7.1 // indirect
	modernc.org/memory v1.12.1 // indirect
)
