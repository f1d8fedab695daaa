"""Audio in: capture from sounddevice devices and voice-activity segmentation."""
