"""What people look at: labels (zh/en), number formatting, charts, the HTML report and the
workshop dashboard."""
