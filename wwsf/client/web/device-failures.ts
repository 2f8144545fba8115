/**
 * What the user is told when getUserMedia fails (Media Capture and Streams §9.2: the
 * DOMException names), for the microphone (no call without it) and the camera (the call goes on
 * with audio only).
 */
import { msg, type UserMessage } from './user-message.ts';

export function microphoneMessage(name: string): UserMessage {
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return msg(
        'Microphone blocked',
        'This page may not use your microphone. Allow microphone access for this site in your browser (the icon in the address bar), then try again.',
        'error',
        'settings',
      );
    case 'NotFoundError':
    case 'OverconstrainedError':
      return msg('No microphone', 'No microphone was found. Connect one and try again.', 'error', 'retry');
    case 'NotReadableError':
    case 'AbortError':
      return msg(
        'Microphone busy',
        'Your microphone could not be started; another application may be using it.',
        'error',
        'retry',
      );
    default:
      return msg('Microphone unavailable', `The microphone could not be opened (${name}).`, 'error', 'retry');
  }
}

export function cameraMessage(name: string): UserMessage {
  const audioOnly = 'The call goes on with audio only.';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return msg(
        'Camera blocked',
        `This page may not use your camera. ${audioOnly} To send video, allow camera access for this site in your browser (the icon in the address bar), then start the camera again.`,
        'warning',
        'settings',
      );
    case 'NotFoundError':
    case 'OverconstrainedError':
      return msg('No camera', `No camera was found. ${audioOnly}`, 'warning');
    case 'NotReadableError':
    case 'AbortError':
      return msg(
        'Camera busy',
        `Your camera could not be started; another application may be using it. ${audioOnly}`,
        'warning',
      );
    default:
      return msg('Camera unavailable', `The camera could not be opened (${name}). ${audioOnly}`, 'warning');
  }
}
