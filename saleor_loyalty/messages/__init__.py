"""Club messaging: render by language, pass the compliance gate, deliver, and log every decision."""
