package network

// SetRecordViaHost chooses whether recorders read host-memory tensors in
// place (true, the default) or download them as on a device backend; it
// returns a func that restores the previous choice.
func SetRecordViaHost(v bool) (restore func()) {
	old := recordViaHost
	recordViaHost = v
	return func() { recordViaHost = old }
}
