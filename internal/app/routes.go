package app

// routes registers the channels that are not the JSON API.
func (a *App) routes() {
	if a.Sink != nil {
		a.Mux.HandleFunc("GET /demo/sms", a.demoSMS)
		a.Mux.HandleFunc("POST /demo/pay", a.demoPay)
	}
}
