"""The offline engine: plan a stack on mocks and run the real policy pack over it, no AWS needed."""
