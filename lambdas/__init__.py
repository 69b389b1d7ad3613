"""Code that runs in AWS Lambda: packaged by the components, imported by their tests."""
