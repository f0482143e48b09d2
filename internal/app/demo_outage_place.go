package app

// DemoFeeder is the feeder the sample utility's first two customers
// (John and Mary) are on; Ali is on another, so that an outage on it
// shows who is told and who is not.
const DemoFeeder = "NW-11"

// demoPlace is a sample meter's place in the network.
func demoPlace(drn string) (feeder, transformer string) {
	if drn == DemoCustomers[2].Meter {
		return "NW-12", "NW-12-T1"
	}
	return DemoFeeder, DemoFeeder + "-T1"
}
