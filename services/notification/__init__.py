"""notification: reminders that keep every customer followed up (the follow-up SOP)."""
