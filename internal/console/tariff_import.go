package console

import (
	"bytes"
	"compress/gzip"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/tariff"
	"github.com/mteja/mteja/internal/vend"
)

// maxTariffFile bounds an uploaded tariff file: years of monthly versions
// fit in a few kilobytes.
const maxTariffFile = 64 << 10

// maxTariffPost bounds the posts that carry a tariff file: the upload with
// its multipart framing, and the confirmation carrying the file packed.
const maxTariffPost = maxTariffFile + 16<<10

// previewData is a dry run of a tariff file: every problem at its line, or
// what the import would change, with what sample payments buy before and
// after, and the form that confirms it.
type previewData struct {
	ID, File string
	Problems []tariff.Problem
	Currency string
	Versions []versionChange
	Removed  []string // dates of the future versions the file drops
	Previews []preview
	Empty    bool // the tariff is stored as the file has it
	Confirm  *confirmForm
}

type versionChange struct {
	tariff.VersionChange
	From, State string
}

// preview prices the sample payments under the version in force (From
// InForce; "" for a new tariff) and under an upcoming version.
type preview struct {
	From, InForce string
	Rows          []previewRow
}

type previewRow struct {
	Paid          money.Amount
	MonthKWh      string // "" for the month's first purchase
	Before, After previewSide
	Lines         []previewLine
}

// previewSide is a sample purchase under one version: its units, or why it
// buys nothing (a message key).
type previewSide struct {
	Units, Refused string
}

type previewLine struct {
	Label         string
	Before, After money.Amount
}

// confirmForm carries what was previewed to the import: the file packed,
// the stored tariff it was judged against, and a seal binding both to the
// tariff id and to this session, so that no other file is confirmed.
type confirmForm struct {
	ID, File, Basis, Seal string
}

// tariffPreview checks an uploaded tariff file without storing anything.
func (h *Handler) tariffPreview(w http.ResponseWriter, v *visit) error {
	src, name, err := tariffUpload(v)
	if err != nil {
		return err
	}
	id := strings.TrimSpace(v.r.PostFormValue("id"))
	if id == "" {
		// The file's name names the tariff, as on the command line; a file
		// that does not read is reported whole by the dry run.
		if f, err := tariff.Parse(src); err == nil {
			id = f.Name
		}
	}
	d := previewData{ID: id, File: name}
	imp, err := vend.ImportTariff(v.r.Context(), h.DB, id, src, v.user().Actor(), true)
	if problems, ok := tariffProblems(err, id); ok {
		d.Problems = problems
		return h.renderPreview(w, v, http.StatusBadRequest, d)
	}
	if err != nil {
		return err
	}
	h.describeImport(&d, imp, v.lang)
	if !d.Empty {
		packed, err := pack(src)
		if err != nil {
			return err
		}
		d.Confirm = &confirmForm{ID: imp.ID, File: packed, Basis: imp.Basis, Seal: seal(v, imp.ID, imp.Basis, packed)}
	}
	return h.renderPreview(w, v, http.StatusOK, d)
}

// tariffImport imports the file a preview showed, exactly: the file sealed
// in the preview's form, onto the stored tariff the preview judged it
// against.
func (h *Handler) tariffImport(w http.ResponseWriter, v *visit) error {
	id, err := formValue(v, "id")
	if err != nil {
		return err
	}
	packed, basis := v.r.PostFormValue("file"), v.r.PostFormValue("basis")
	if !hmac.Equal([]byte(v.r.PostFormValue("seal")), []byte(seal(v, id, basis, packed))) {
		return &pageError{Status: http.StatusBadRequest, Key: "tariff.notpreviewed"}
	}
	src, err := unpack(packed)
	if err != nil {
		return err
	}
	imp, err := vend.ImportPreviewed(v.r.Context(), h.DB, id, src, v.user().Actor(), basis)
	if errors.Is(err, vend.ErrTariffChanged) {
		return &pageError{Status: http.StatusConflict, Key: "tariff.changed", cause: err}
	}
	if problems, ok := tariffProblems(err, id); ok {
		// Midnight came between the preview and now: a version dated
		// today may no longer start.
		return h.renderPreview(w, v, http.StatusConflict, previewData{ID: id, Problems: problems})
	}
	if err != nil {
		return err
	}
	done := "imported"
	if !imp.Stored {
		done = "same"
	}
	return redirect(w, v, "/staff/tariffs/"+url.PathEscape(imp.ID)+"?done="+done)
}

// tariffUpload reads the uploaded file, bounded.
func tariffUpload(v *visit) (src []byte, name string, err error) {
	if err := v.r.ParseMultipartForm(maxTariffPost); err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return nil, "", err
		}
		return nil, "", &pageError{Status: http.StatusBadRequest, Key: "error.form", cause: err}
	}
	defer v.r.MultipartForm.RemoveAll()
	f, hdr, err := v.r.FormFile("file")
	if err != nil {
		return nil, "", &pageError{Status: http.StatusBadRequest, Key: "tariffs.nofile", cause: err}
	}
	defer f.Close()
	if src, err = io.ReadAll(io.LimitReader(f, maxTariffFile+1)); err != nil {
		return nil, "", err
	}
	switch {
	case len(src) > maxTariffFile:
		return nil, "", &pageError{Status: http.StatusRequestEntityTooLarge, Key: "tariffs.toolarge"}
	case len(src) == 0:
		return nil, "", &pageError{Status: http.StatusBadRequest, Key: "tariffs.nofile"}
	}
	return src, hdr.Filename, nil
}

// tariffProblems lists what is wrong with a file or its id, each at its
// line, when err is about them; ok is false for any other error. The id
// is judged too when it was typed, or when the file read (its name is the
// id): an id taken from a file that does not read is no id at all.
func tariffProblems(err error, id string) (problems []tariff.Problem, ok bool) {
	if err == nil {
		return nil, false
	}
	var fe *tariff.FileError
	file := errors.As(err, &fe)
	if file {
		problems = fe.Problems
	}
	if idErr := vend.CheckTariffID(id); idErr != nil && (id != "" || !file) {
		problems = append([]tariff.Problem{{Msg: idErr.Error()}}, problems...)
	}
	return problems, len(problems) > 0
}

// describeImport fills what a dry run would change and its preview.
func (h *Handler) describeImport(d *previewData, imp vend.TariffImport, lang string) {
	c, file, now := imp.Change, imp.Tariff, h.DB.Now()
	d.Currency, d.Empty = file.Currency, c.Empty()
	for i, vc := range c.Versions(file) {
		d.Versions = append(d.Versions, versionChange{VersionChange: vc, From: day(vc.Version.EffectiveFrom), State: file.State(i, now)})
	}
	for _, r := range c.Removed {
		d.Removed = append(d.Removed, day(r.EffectiveFrom))
	}
	for _, next := range c.Upcoming() {
		pv := preview{From: day(next.EffectiveFrom)}
		if c.InForce != nil {
			pv.InForce = day(c.InForce.EffectiveFrom)
		}
		for _, row := range tariff.Preview(c.InForce, next, tariff.PreviewAmounts, tariff.PreviewMonthWh) {
			pr := previewRow{Paid: row.Paid, Before: side(row.Before), After: side(row.After)}
			if row.MonthWh > 0 {
				pr.MonthKWh = tariff.KWhText(row.MonthWh)
			}
			for _, l := range row.Lines() {
				pr.Lines = append(pr.Lines, previewLine{Label: lineLabel(next, l.Code, lang), Before: l.Before, After: l.After})
			}
			pv.Rows = append(pv.Rows, pr)
		}
		d.Previews = append(d.Previews, pv)
	}
}

// side is what a sample payment buys under one version.
func side(p tariff.Priced) previewSide {
	switch {
	case p.Quote != nil:
		return previewSide{Units: p.Quote.Units}
	case errors.Is(p.Err, tariff.ErrBelowMinimum):
		return previewSide{Refused: "tariff.below"}
	case errors.Is(p.Err, tariff.ErrAboveMaximum):
		return previewSide{Refused: "tariff.above.max"}
	}
	return previewSide{Refused: "tariff.noprice"}
}

func (h *Handler) renderPreview(w http.ResponseWriter, v *visit, status int, d previewData) error {
	p := h.page(v, "tariff.preview.title", d, d.ID)
	// The preview is the answer to a post: the language switch goes back
	// to the tariffs, where the file is chosen again.
	p.Path = "/staff/tariffs"
	return h.render(w, v, status, "tariff_preview", p)
}

// pack carries a file in a form field: gzipped (a tariff file shrinks to a
// fraction, and the preview page carries it) and base64url-encoded, so that
// no browser rewrites its line ends.
func pack(src []byte) (string, error) {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write(src); err != nil {
		return "", err
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b.Bytes()), nil
}

// unpack reverses pack, bounded to maxTariffFile.
func unpack(s string) ([]byte, error) {
	z, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, &pageError{Status: http.StatusBadRequest, Key: "tariff.notpreviewed", cause: err}
	}
	zr, err := gzip.NewReader(bytes.NewReader(z))
	if err != nil {
		return nil, &pageError{Status: http.StatusBadRequest, Key: "tariff.notpreviewed", cause: err}
	}
	src, err := io.ReadAll(io.LimitReader(zr, maxTariffFile+1))
	if err != nil || len(src) > maxTariffFile {
		return nil, &pageError{Status: http.StatusBadRequest, Key: "tariff.notpreviewed", cause: err}
	}
	return src, nil
}

// seal binds a previewed file to its tariff id, the stored tariff it was
// judged against and this session: an HMAC keyed with the session's
// secret token, which only this browser and the server know.
func seal(v *visit, id, basis, packed string) string {
	m := hmac.New(sha256.New, []byte(v.token))
	for _, s := range []string{"tariff import", id, basis, packed} {
		m.Write([]byte(s))
		m.Write([]byte{0})
	}
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
