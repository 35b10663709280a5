/**
 * Why a mapper receipt or frame was not counted (oracle/README.md §Mappers). Receipt-level reasons are recorded on the
 * receipt and in rejected_messages; frame-level ones on mapper_frames and on every receipt of the frame.
 */
export type MapperRejection =
  // a receipt alone
  | 'duplicate_receipt' // this hotspot already sent a receipt for this frame
  | 'late_receipt' // arrived after its frame was judged (within a minute of the frame)
  | 'replayed_frame' // the frame's bytes were judged before: a recording sent again
  | 'hotspot_unknown' // not in the registry, or without an asserted location
  | 'signal_too_strong_for_distance' // stronger than free space allows from the claimed position
  | 'copied_radio_metadata' // same concentrator tmst, RSSI and SNR as another hotspot's receipt of the frame
  // the whole frame
  | 'unknown_device'
  | 'bad_mic' // not authenticated by the device key: forged or altered
  | 'counter_replayed' // authentic, but its counter was already accepted
  | 'counter_reordered' // authentic, but older than the newest accepted counter
  | 'poor_gps_fix' // too few satellites or too high an HDOP to place it in a res-9 cell
  | 'position_implausible' // most receipts are too strong for the claimed position
  | 'implausible_speed'; // farther from the device's previous fix than it could have travelled
