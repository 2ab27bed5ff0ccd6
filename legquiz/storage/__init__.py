"""The progress store on disk: the review log, the snapshot, doctor, durable writes."""
