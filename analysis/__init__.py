"""Reading results: figures (and, later, comparisons, sensitivity and reports)."""
