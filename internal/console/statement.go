package console

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"

	"github.com/mteja/mteja/internal/reconcile"
)

// maxBadRows is how many bad rows of a statement a page lists: a file
// that is wrong throughout would otherwise make a page of megabytes.
const maxBadRows = 200

type importData struct {
	Name string
	reconcile.Imported
	ByKind  []kindCount
	Bad     []reconcile.LineError // the first maxBadRows
	BadAll  int
	Problem string // why the file is not a statement
}

type kindCount struct {
	Kind string
	N    int
}

// statementImport reads an organisation statement uploaded as a file and
// reconciles it: the page says what it did, or lists the bad rows by
// line, of which none was taken. The same file twice adds nothing. The
// payments it recorded go to the vend worker at once.
func (h *Handler) statementImport(w http.ResponseWriter, v *visit) error {
	part, err := statementPart(v)
	if err != nil {
		return err
	}
	d := importData{Name: part.FileName()}
	d.Imported, err = reconcile.Import(v.r.Context(), h.DB, d.Name, part, v.user().Actor())
	var se *reconcile.StatementError
	var mb *http.MaxBytesError
	status := http.StatusOK
	switch {
	case errors.As(err, &mb):
		return tooLarge(err)
	case errors.As(err, &se):
		status, d.BadAll = http.StatusBadRequest, len(se.Lines)
		d.Bad = se.Lines[:min(len(se.Lines), maxBadRows)]
	case errors.Is(err, reconcile.ErrLayout):
		status, d.Problem = http.StatusBadRequest, err.Error()
	case err != nil:
		return err
	default:
		for _, k := range []string{reconcile.KindPayment, reconcile.KindCharge, reconcile.KindReversal, reconcile.KindOther} {
			d.ByKind = append(d.ByKind, kindCount{k, d.Kinds[k]})
		}
		if d.Recorded > 0 && h.Services.OnReceived != nil {
			h.Services.OnReceived()
		}
		maskExceptions(v, d.Exceptions)
	}
	p := h.page(v, "recon.imported.title", d)
	p.Path = "/staff/reconcile" // the page a language switch returns to
	return h.render(w, v, status, "statement", p)
}

// statementPart finds the statement's file among the form's parts, read
// as it streams in: nothing of it is kept on disk.
func statementPart(v *visit) (*multipart.Part, error) {
	mr, err := v.r.MultipartReader()
	if err != nil {
		return nil, &pageError{Status: http.StatusBadRequest, Key: "recon.nofile", cause: err}
	}
	for {
		part, err := mr.NextPart()
		var mb *http.MaxBytesError
		switch {
		case errors.Is(err, io.EOF):
			return nil, &pageError{Status: http.StatusBadRequest, Key: "recon.nofile"}
		case errors.As(err, &mb):
			return nil, tooLarge(err)
		case err != nil:
			return nil, &pageError{Status: http.StatusBadRequest, Key: "error.form", cause: err}
		case part.FormName() == "statement" && part.FileName() != "":
			return part, nil
		}
	}
}

// tooLarge is the page for a statement over the bound.
func tooLarge(err error) error {
	return &pageError{Status: http.StatusRequestEntityTooLarge, Key: "recon.toolarge", Args: []any{maxStatement >> 20}, cause: err}
}
